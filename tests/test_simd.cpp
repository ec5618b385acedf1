// SIMD packs and the lane layout: SimdDouble arithmetic against double lane by lane, the lane
// layout against Geometry, and the vectorised gauge force against the straightforward per-link
// formula.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <cstring>
#include <set>

#include "TestSupport.h"
#include "fpgauge/actions/ActionFactory.h"
#include "fpgauge/actions/GaugeLoopAction.h"
#include "fpgauge/core/Simd.h"
#include "fpgauge/core/Su3Algebra.h"
#include "fpgauge/lattice/LaneField.h"
#include "fpgauge/lattice/PathProduct.h"
#include "fpgauge/lattice/Rng.h"

namespace fpgauge {
namespace {

Matrix3d random_matrix(RngStream& rng) {
  Matrix3d m;
  for (auto& row : m.e)
    for (auto& z : row) z = {rng.normal(), rng.normal()};
  return m;
}

LaneMatrix pack_of(const Matrix3d (&lanes)[kSimdLanes]) {
  const Matrix3d* pointers[kSimdLanes];
  for (int k = 0; k < kSimdLanes; ++k) pointers[k] = &lanes[k];
  LaneMatrix m;
  LaneGaugeField::pack(pointers, m);
  return m;
}

Matrix3d lane_of(const LaneMatrix& m, int lane) {
  Matrix3d lanes[kSimdLanes];
  Matrix3d* pointers[kSimdLanes];
  for (int k = 0; k < kSimdLanes; ++k) pointers[k] = &lanes[k];
  LaneGaugeField::unpack(m, pointers, kSimdLanes);
  return lanes[lane];
}

// kSimdLanes random matrices, as one pack and lane by lane.
struct Packs {
  LaneMatrix pack;
  Matrix3d lane[kSimdLanes];
};
Packs random_packs(RngStream& rng) {
  Packs p;
  for (int k = 0; k < kSimdLanes; ++k) p.lane[k] = random_matrix(rng);
  p.pack = pack_of(p.lane);
  return p;
}

void expect_lanes_near(const LaneMatrix& pack, const Matrix3d (&expected)[kSimdLanes],
                       double tolerance, const char* what) {
  for (int k = 0; k < kSimdLanes; ++k)
    EXPECT_LE(std::sqrt(norm2(lane_of(pack, k) - expected[k])),
              tolerance * (1 + std::sqrt(norm2(expected[k]))))
        << what << " lane " << k;
}

TEST(SimdDouble, LanewiseArithmeticIsDoubleArithmetic) {
  SimdDouble a, b;
  for (int k = 0; k < kSimdLanes; ++k) {
    a.set(k, 1.5 + k);
    b.set(k, -0.25 * (k + 1));
  }
  const SimdDouble sum = a + b, difference = a - b, product = a * b, quotient = a / b;
  const SimdDouble negated = -a, broadcast = 2.0, scaled = a * 3.0;
  for (int k = 0; k < kSimdLanes; ++k) {
    EXPECT_EQ(sum[k], a[k] + b[k]);
    EXPECT_EQ(difference[k], a[k] - b[k]);
    EXPECT_EQ(product[k], a[k] * b[k]);
    EXPECT_EQ(quotient[k], a[k] / b[k]);
    EXPECT_EQ(negated[k], -a[k]);
    EXPECT_EQ(broadcast[k], 2.0);
    EXPECT_EQ(scaled[k], 3.0 * a[k]);
  }
  EXPECT_EQ(SimdDouble{}[kSimdLanes - 1], 0.0);
  SimdDouble::IndexVector reverse;
  for (int k = 0; k < kSimdLanes; ++k) reverse[k] = kSimdLanes - 1 - k;
  const SimdDouble reversed = permute_lanes(a, reverse);
  for (int k = 0; k < kSimdLanes; ++k) EXPECT_EQ(reversed[k], a[kSimdLanes - 1 - k]);
}

TEST(SimdDouble, TransposeAndPackingRoundTrip) {
  SimdDouble rows[kSimdLanes];
  for (int i = 0; i < kSimdLanes; ++i)
    for (int k = 0; k < kSimdLanes; ++k) rows[i].set(k, 10 * i + k);
  transpose_lanes(rows);
  for (int i = 0; i < kSimdLanes; ++i)
    for (int k = 0; k < kSimdLanes; ++k) EXPECT_EQ(rows[i][k], 10 * k + i);

  RngStream rng(4, RngPurpose::test, 0, 0);
  Matrix3d lanes[kSimdLanes];
  for (Matrix3d& m : lanes) m = random_matrix(rng);
  const LaneMatrix pack = pack_of(lanes);
  for (int k = 0; k < kSimdLanes; ++k)
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) {
        EXPECT_EQ(pack.e[i][j].re[k], lanes[k].e[i][j].re);
        EXPECT_EQ(pack.e[i][j].im[k], lanes[k].e[i][j].im);
      }
  // Unpacking writes the first `count` lanes and nothing else.
  Matrix3d out[kSimdLanes];
  for (Matrix3d& m : out) m = Matrix3d::identity();
  Matrix3d* pointers[kSimdLanes];
  for (int k = 0; k < kSimdLanes; ++k) pointers[k] = &out[k];
  const int count = kSimdLanes - 1;
  LaneGaugeField::unpack(pack, pointers, count);
  for (int k = 0; k < kSimdLanes; ++k) {
    const Matrix3d& expected = k < count ? lanes[k] : Matrix3d::identity();
    EXPECT_EQ(std::memcmp(&out[k], &expected, sizeof(Matrix3d)), 0) << "lane " << k;
  }
}

TEST(SimdDouble, MatrixKernelsAgreeWithTheScalarOnesLaneByLane) {
  RngStream rng(5, RngPurpose::test, 0, 0);
  const Packs a = random_packs(rng), b = random_packs(rng), c = random_packs(rng);
  Matrix3d expected[kSimdLanes];
  const double tol = 1e-14;

  for (int k = 0; k < kSimdLanes; ++k) expected[k] = a.lane[k] * b.lane[k];
  expect_lanes_near(a.pack * b.pack, expected, tol, "A*B");
  for (int k = 0; k < kSimdLanes; ++k) expected[k] = mul_adj(a.lane[k], b.lane[k]);
  expect_lanes_near(mul_adj(a.pack, b.pack), expected, tol, "A*B†");
  for (int k = 0; k < kSimdLanes; ++k) expected[k] = adj_mul(a.lane[k], b.lane[k]);
  expect_lanes_near(adj_mul(a.pack, b.pack), expected, tol, "A†*B");

  // The multiply-add chains, scalar and packed, against C + product.
  for (int k = 0; k < kSimdLanes; ++k) expected[k] = c.lane[k] + a.lane[k] * b.lane[k];
  LaneMatrix m = c.pack;
  mul_add(m, a.pack, b.pack);
  expect_lanes_near(m, expected, tol, "C += A B");
  for (int k = 0; k < kSimdLanes; ++k) {
    Matrix3d s = c.lane[k];
    mul_add(s, a.lane[k], b.lane[k]);
    EXPECT_LE(std::sqrt(norm2(s - expected[k])), tol * std::sqrt(norm2(expected[k])));
  }
  for (int k = 0; k < kSimdLanes; ++k) expected[k] = c.lane[k] + mul_adj(a.lane[k], b.lane[k]);
  m = c.pack;
  mul_adj_add(m, a.pack, b.pack);
  expect_lanes_near(m, expected, tol, "C += A B†");
  for (int k = 0; k < kSimdLanes; ++k) expected[k] = c.lane[k] + adj_mul(a.lane[k], b.lane[k]);
  m = c.pack;
  adj_mul_add(m, a.pack, b.pack);
  expect_lanes_near(m, expected, tol, "C += A† B");
  // The chain products without accumulation, packed and scalar.
  for (int k = 0; k < kSimdLanes; ++k) expected[k] = a.lane[k] * b.lane[k];
  mul_into(m, a.pack, b.pack);
  expect_lanes_near(m, expected, tol, "C = A B");
  for (int k = 0; k < kSimdLanes; ++k) expected[k] = mul_adj(a.lane[k], b.lane[k]);
  mul_adj_into(m, a.pack, b.pack);
  expect_lanes_near(m, expected, tol, "C = A B†");
  for (int k = 0; k < kSimdLanes; ++k) expected[k] = adj_mul(a.lane[k], b.lane[k]);
  adj_mul_into(m, a.pack, b.pack);
  expect_lanes_near(m, expected, tol, "C = A† B");
  for (int k = 0; k < kSimdLanes; ++k) {
    Matrix3d s;
    adj_mul_into(s, a.lane[k], b.lane[k]);
    EXPECT_LE(std::sqrt(norm2(s - expected[k])), tol * std::sqrt(norm2(expected[k])));
  }

  for (int k = 0; k < kSimdLanes; ++k) expected[k] = lie_gradient(a.lane[k]);
  expect_lanes_near(lie_gradient(a.pack), expected, tol, "lie_gradient");
  for (int k = 0; k < kSimdLanes; ++k) expected[k] = (-1.0 / 3.0) * adj(a.lane[k]) - b.lane[k];
  expect_lanes_near(SimdDouble(-1.0 / 3.0) * adj(a.pack) - b.pack, expected, tol, "scale, adj");
}

const Coordinates kGeometries[] = {{8, 8, 8, 8}, {4, 4, 4, 6}, {3, 4, 3, 4},
                                   {2, 2, 2, 2}, {3, 3, 3, 3}, {6, 2, 5, 10}};

TEST(LaneLayout, EverySiteOnceAndNeighboursAsInGeometry) {
  for (const Coordinates& extents : kGeometries) {
    const Geometry g(extents);
    const LaneLayout layout(g);
    SCOPED_TRACE(g.to_string());
    EXPECT_EQ(layout.lane_sites() * layout.blocks(), g.volume());
    std::set<SiteIndex> seen;
    for (SiteIndex v = 0; v < layout.lane_sites(); ++v)
      for (int k = 0; k < kSimdLanes; ++k) {
        const SiteIndex s = layout.site(v, k);
        if (k < layout.blocks())
          EXPECT_TRUE(seen.insert(s).second) << "site " << s << " twice";
        else
          EXPECT_EQ(s, layout.site(v, k % layout.blocks()));
      }
    EXPECT_EQ(SiteIndex(seen.size()), g.volume());

    // The site lane k stands for at a position: lane perm[k] of the lane site.
    auto site_at = [&](LanePosition p, int k) {
      return layout.site(p.lane_site, int(layout.permutation(p.offset)[k]));
    };
    // Walk around the lattice: two steps forward and back along every direction, and a full
    // loop around the torus along μ.
    for (SiteIndex v = 0; v < layout.lane_sites(); ++v)
      for (int mu = 0; mu < kDimensions; ++mu) {
        const LanePosition x{v, 0};
        const LanePosition up = layout.forward(x, mu), down = layout.backward(x, mu);
        const LanePosition up2 = layout.forward(up, mu), down2 = layout.backward(down, mu);
        LanePosition around = x;
        for (int i = 0; i < g.extent(mu); ++i) around = layout.forward(around, mu);
        for (int k = 0; k < kSimdLanes; ++k) {
          const SiteIndex s = layout.site(v, k);
          EXPECT_EQ(site_at(up, k), g.forward(s, mu));
          EXPECT_EQ(site_at(down, k), g.backward(s, mu));
          EXPECT_EQ(site_at(up2, k), g.shifted(s, mu, 2));
          EXPECT_EQ(site_at(down2, k), g.shifted(s, mu, -2));
          EXPECT_EQ(site_at(around, k), s);
        }
      }
  }
}

TEST(LaneGaugeField, LinksAtShiftedPositionsAreTheLatticeLinks) {
  for (const Coordinates& extents : kGeometries) {
    const auto g = Geometry::make(extents);
    SCOPED_TRACE(g->to_string());
    const GaugeField u = random_gauge_field(g, 3);
    const LaneLayout layout(*g);
    LaneGaugeField lanes(layout);
    lanes.assign(u);
    for (SiteIndex v = 0; v < layout.lane_sites(); ++v)
      for (int mu = 0; mu < kDimensions; ++mu)
        for (int nu = 0; nu < kDimensions; ++nu) {
          const LanePosition p = lanes.backward(lanes.forward(lanes.position(v), mu), nu);
          LaneMatrix scratch;
          const LaneMatrix& m = lanes.link(p, nu, scratch);
          for (int k = 0; k < kSimdLanes; ++k) {
            const SiteIndex s = g->backward(g->forward(layout.site(v, k), mu), nu);
            const Matrix3d expected = u(s, nu), got = lane_of(m, k);
            EXPECT_EQ(std::memcmp(&got, &expected, sizeof(Matrix3d)), 0);
          }
        }
  }
}

// The straightforward per-link formula with PathProduct.h: every plaquette and rectangle
// through U_μ(x), started at x+μ̂, each with its own path.
SU3 reference_staple(const GaugeField& u, SiteIndex s, int mu, double c0, double c1) {
  const SiteIndex s_mu = u.geometry().forward(s, mu);
  const Step m_fwd = forward_step(mu), m_bwd = backward_step(mu);
  SU3 plaq = SU3::zero(), rect = SU3::zero();
  for (int nu = 0; nu < kDimensions; ++nu) {
    if (nu == mu) continue;
    for (const int sign : {+1, -1}) {
      const Step n_fwd = sign * forward_step(nu), n_bwd = -n_fwd;
      plaq += path_product(u, s_mu, {n_fwd, m_bwd, n_bwd});
      rect += path_product(u, s_mu, {m_fwd, n_fwd, m_bwd, m_bwd, n_bwd});
      rect += path_product(u, s_mu, {n_fwd, m_bwd, m_bwd, n_bwd, m_fwd});
      rect += path_product(u, s_mu, {n_fwd, n_fwd, m_bwd, n_bwd, n_bwd});
    }
  }
  return c0 * plaq + c1 * rect;
}

class VectorisedForce : public ::testing::TestWithParam<std::string> {};

TEST_P(VectorisedForce, AgreesWithThePerLinkFormula) {
  const auto action = make_action(GetParam());
  const auto& loops = dynamic_cast<const GaugeLoopAction&>(*action);
  for (const Coordinates& extents : kGeometries) {
    const auto g = Geometry::make(extents);
    SCOPED_TRACE(g->to_string());
    const GaugeField u = random_gauge_field(g, 17);
    AlgebraField d;
    action->force(u, d);
    double worst_force = 0, worst_staple = 0;
    for (SiteIndex s = 0; s < g->volume(); ++s)
      for (int mu = 0; mu < kDimensions; ++mu) {
        const SU3 sigma = reference_staple(u, s, mu, loops.c0(), loops.c1());
        const Matrix3d expected = (-1.0 / 3.0) * lie_gradient(u(s, mu) * sigma);
        const double scale = std::sqrt(norm2(sigma));
        worst_force =
            std::max(worst_force, std::sqrt(norm2(d(s, mu) - expected)) / scale);
        // The per-link staple of the heatbath uses the same formulas on one site.
        worst_staple = std::max(
            worst_staple, std::sqrt(norm2(loops.staple(u, s, mu) - sigma)) / scale);
      }
    EXPECT_LT(worst_force, 1e-13);
    EXPECT_LT(worst_staple, 1e-13);
  }
}

TEST_P(VectorisedForce, IndependentOfTheThreadCount) {
  const auto action = make_action(GetParam());
  const auto g = Geometry::make({4, 4, 4, 8});
  const GaugeField u = random_gauge_field(g, 23);
  const int threads = omp_get_max_threads();
  AlgebraField one, two;
  omp_set_num_threads(1);
  action->force(u, one);
  omp_set_num_threads(2);
  action->force(u, two);
  omp_set_num_threads(threads);
  EXPECT_EQ(std::memcmp(one.data(), two.data(), sizeof(Matrix3d) * one.size()), 0);
}

INSTANTIATE_TEST_SUITE_P(GaugeLoopActions, VectorisedForce,
                         ::testing::Values("wilson", "iwasaki", "dbw2"));

}  // namespace
}  // namespace fpgauge
