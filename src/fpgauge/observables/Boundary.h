#pragma once
// Open boundaries on the periodically stored lattice. Fields are always stored periodically
// (Geometry wraps); with open boundaries the lattice is the box 0 <= x_μ <= L_μ − 1, the links
// U_μ(x) with x_μ = L_μ − 1 (those that leave the box) are absent, and a loop counts only if it
// uses none of them (SPEC §4: "every action restricted to loops inside the lattice"). A field
// built for open boundaries may hold anything on the absent links; read periodically it is the
// periodically glued field.
#include <span>
#include <string>
#include <string_view>

#include "fpgauge/lattice/Fields.h"
#include "fpgauge/lattice/PathProduct.h"

namespace fpgauge {

enum class Boundary { periodic, open };

// "periodic" or "open"; throws std::invalid_argument naming the value otherwise.
Boundary parse_boundary(std::string_view name);
std::string to_string(Boundary boundary);

// Whether the path of `steps` (PathProduct.h convention) from `start` stays in the box, i.e.
// uses no link across a face: no forward step from x_μ = L_μ − 1, no backward step from x_μ = 0.
bool path_inside(const Geometry& g, SiteIndex start, std::span<const Step> steps);
// The plaquette P_μν(x) is inside iff x_μ <= L_μ − 2 and x_ν <= L_ν − 2.
bool plaquette_inside(const Geometry& g, SiteIndex s, int mu, int nu);
// The clover at x (the four plaquettes of every plane around x) is inside iff
// 1 <= x_μ <= L_μ − 2 for every μ.
bool clover_inside(const Geometry& g, SiteIndex s);

// The Wilson action with open boundaries, A_W = Σ_{x,μ<ν, P inside} (1 − ⅓ Re tr P_μν(x)).
// (With periodic boundaries use make_action("wilson"), actions/ActionFactory.h.)
double wilson_action_open(const GaugeField& u);

}  // namespace fpgauge
