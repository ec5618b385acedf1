#include "fpgauge/observables/Topology.h"

#include <cmath>

#include "fpgauge/lattice/SiteLoop.h"

namespace fpgauge {
namespace {

constexpr int kPlanes[6][2] = {{0, 1}, {0, 2}, {0, 3}, {1, 2}, {1, 3}, {2, 3}};

// ⅛ (C − C†) − (1/3) tr(⅛ (C − C†)).
Matrix3d antihermitian_traceless_part(const Matrix3d& c) {
  Matrix3d f;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) f.e[i][j] = (c.e[i][j] - conj(c.e[j][i])) * 0.125;
  const double im_trace_third = (f.e[0][0].im + f.e[1][1].im + f.e[2][2].im) / 3.0;
  for (int i = 0; i < 3; ++i) f.e[i][i].im -= im_trace_third;
  return f;
}

Matrix3d clover_leaves(const GaugeField& u, SiteIndex x, int mu, int nu) {
  const Geometry& g = u.geometry();
  const SiteIndex x_pmu = g.forward(x, mu), x_pnu = g.forward(x, nu);
  const SiteIndex x_mmu = g.backward(x, mu), x_mnu = g.backward(x, nu);
  const SiteIndex x_mmu_pnu = g.forward(x_mmu, nu), x_mmu_mnu = g.backward(x_mmu, nu);
  const SiteIndex x_pmu_mnu = g.forward(x_mnu, mu);
  // U_μ(x) U_ν(x+μ̂) U_μ(x+ν̂)† U_ν(x)†
  Matrix3d c = mul_adj(u(x, mu) * u(x_pmu, nu), u(x, nu) * u(x_pnu, mu));
  // U_ν(x) U_μ(x−μ̂+ν̂)† U_ν(x−μ̂)† U_μ(x−μ̂)
  c += mul_adj(u(x, nu), u(x_mmu, nu) * u(x_mmu_pnu, mu)) * u(x_mmu, mu);
  // U_μ(x−μ̂)† U_ν(x−μ̂−ν̂)† U_μ(x−μ̂−ν̂) U_ν(x−ν̂)
  //   = [U_ν(x−μ̂−ν̂) U_μ(x−μ̂)]† [U_μ(x−μ̂−ν̂) U_ν(x−ν̂)]
  c += adj_mul(u(x_mmu_mnu, nu) * u(x_mmu, mu), u(x_mmu_mnu, mu) * u(x_mnu, nu));
  // U_ν(x−ν̂)† U_μ(x−ν̂) U_ν(x+μ̂−ν̂) U_μ(x)†
  c += mul_adj(adj_mul(u(x_mnu, nu), u(x_mnu, mu)) * u(x_pmu_mnu, nu), u(x, mu));
  return c;
}

}  // namespace

CloverField clover_field_strength(const GaugeField& u, SiteIndex s) {
  CloverField f;
  for (int p = 0; p < 6; ++p)
    f[p] = antihermitian_traceless_part(clover_leaves(u, s, kPlanes[p][0], kPlanes[p][1]));
  return f;
}

double topological_charge_density(const CloverField& f) {
  // ε_μνρσ tr(F̂_μν F̂_ρσ) = 8 [tr(F̂_01 F̂_23) − tr(F̂_02 F̂_13) + tr(F̂_03 F̂_12)].
  const double sum = re_trace_mul(f[0], f[5]) - re_trace_mul(f[1], f[4]) +
                     re_trace_mul(f[2], f[3]);
  return -sum / (4.0 * M_PI * M_PI);
}

double clover_energy_density(const CloverField& f) {
  double sum = 0.0;  // Σ_{μ<ν} tr(F̂_μν F̂_μν), which is half the sum over all μ, ν
  for (const Matrix3d& fp : f) sum += re_trace_mul(fp, fp);
  return -sum;
}

SiteField<double> topological_charge_density(const GaugeField& u) {
  SiteField<double> q(u.geometry_ptr());
  parallel_for(q.size(), [&](SiteIndex s) {
    q[s] = topological_charge_density(clover_field_strength(u, s));
  });
  return q;
}

SiteField<double> clover_energy_density(const GaugeField& u) {
  SiteField<double> e(u.geometry_ptr());
  parallel_for(e.size(), [&](SiteIndex s) {
    e[s] = clover_energy_density(clover_field_strength(u, s));
  });
  return e;
}

double topological_charge(const GaugeField& u, Boundary boundary) {
  const Geometry& g = u.geometry();
  return static_cast<double>(parallel_sum(g.volume(), [&](SiteIndex s) {
    if (boundary == Boundary::open && !clover_inside(g, s)) return 0.0;
    return topological_charge_density(clover_field_strength(u, s));
  }));
}

double clover_energy(const GaugeField& u, Boundary boundary) {
  const Geometry& g = u.geometry();
  const long double sum = parallel_sum(g.volume(), [&](SiteIndex s) {
    if (boundary == Boundary::open && !clover_inside(g, s)) return 0.0;
    return clover_energy_density(clover_field_strength(u, s));
  });
  SiteIndex sites = g.volume();
  if (boundary == Boundary::open) {
    sites = 1;
    for (int mu = 0; mu < kDimensions; ++mu) sites *= g.extent(mu) - 2;
  }
  return sites > 0 ? static_cast<double>(sum / sites) : 0.0;
}

CloverEnergyAndCharge clover_energy_and_charge(const GaugeField& u) {
  const Geometry& g = u.geometry();
  SiteField<double> energy(u.geometry_ptr()), charge(u.geometry_ptr());
  parallel_for(g.volume(), [&](SiteIndex s) {
    const CloverField f = clover_field_strength(u, s);
    energy[s] = clover_energy_density(f);
    charge[s] = topological_charge_density(f);
  });
  return {static_cast<double>(parallel_sum(g.volume(), [&](SiteIndex s) { return energy[s]; }) /
                              g.volume()),
          static_cast<double>(parallel_sum(g.volume(), [&](SiteIndex s) { return charge[s]; }))};
}

}  // namespace fpgauge
