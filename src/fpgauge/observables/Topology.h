#pragma once
// The clover field strength, the topological charge and the clover energy density (SPEC §1).
//
// Clover: C_μν(x) is the sum of the four plaquettes of the (μ,ν) plane that start and end at x,
// all with the orientation μ → ν,
//   C_μν = U_μ(x) U_ν(x+μ̂) U_μ(x+ν̂)† U_ν(x)†  + U_ν(x) U_μ(x−μ̂+ν̂)† U_ν(x−μ̂)† U_μ(x−μ̂)
//        + U_μ(x−μ̂)† U_ν(x−μ̂−ν̂)† U_μ(x−μ̂−ν̂) U_ν(x−ν̂)
//        + U_ν(x−ν̂)† U_μ(x−ν̂) U_ν(x+μ̂−ν̂) U_μ(x)†,
// and F̂_μν(x) = ⅛ (C_μν − C_μν†) minus its trace/3: anti-Hermitian, traceless, F̂_νμ = −F̂_μν.
// For a smooth field, U_μ(x) = P exp(−i∫A_μ) with D = ∂ − iA (SPEC §4), every plaquette is
// exp(−i a² F_μν + O(a³)) with the Hermitian F_μν = ∂_μA_ν − ∂_νA_μ − i[A_μ, A_ν], so
// F̂_μν = −i a² F_μν + O(a⁴).
//
// Topological charge density q(x) = −(1/(32π²)) ε_μνρσ tr(F̂_μν F̂_ρσ), ε_xyzt = +1 (directions
// 0,1,2,3 = x,y,z,t), i.e. q = −(1/(4π²)) Re tr[F̂_01 F̂_23 − F̂_02 F̂_13 + F̂_03 F̂_12]; in the
// continuum q = (1/(32π²)) F^a_μν F̃^a_μν, +1 for the BPST instanton. openQCD orders the
// directions (t,x,y,z), so its ε_{txyz} = +1 means ε_xyzt = −1: its Q has the opposite sign for
// the same field.
//
// Clover energy density E(x) = −½ Σ_{μ,ν} tr(F̂_μν F̂_μν) = ¼ F^a_μν F^a_μν + O(a²) (Lüscher,
// JHEP 08 (2010) 071). For smooth fields every plaquette gives 1 − ⅓ Re tr P = ⅙ tr F² + O(a³),
// so the per-site average of E equals 6 A_W/V up to O(a²) (SPEC §1, E = 6A/V), and the
// continuum action S = (1/g²) ∫E makes the reduced instanton action 8π²/6.
#include <array>

#include "fpgauge/lattice/Fields.h"
#include "fpgauge/observables/Boundary.h"

namespace fpgauge {

// F̂_μν(x) of the six planes in the order (0,1), (0,2), (0,3), (1,2), (1,3), (2,3).
using CloverField = std::array<Matrix3d, 6>;
CloverField clover_field_strength(const GaugeField& u, SiteIndex s);

// q and E of one site from its clover field strength.
double topological_charge_density(const CloverField& f);
double clover_energy_density(const CloverField& f);

// q(x) and E(x) on every site (periodic neighbours; with open boundaries only the sites with
// clover_inside() are meaningful).
SiteField<double> topological_charge_density(const GaugeField& u);
SiteField<double> clover_energy_density(const GaugeField& u);

// Q = Σ_x q(x), over every site (periodic) or over the sites whose clover is inside (open).
double topological_charge(const GaugeField& u, Boundary boundary = Boundary::periodic);
// The mean of E(x) over the same sites.
double clover_energy(const GaugeField& u, Boundary boundary = Boundary::periodic);
// Both from one pass over the clover field strength (periodic): what a flow measures.
struct CloverEnergyAndCharge {
  double energy;  // mean of E(x)
  double charge;  // Q
};
CloverEnergyAndCharge clover_energy_and_charge(const GaugeField& u);

}  // namespace fpgauge
