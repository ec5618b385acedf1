#pragma once
// The plaquette + rectangle family (SPEC §2):
//   A = Σ_x Σ_{μ<ν} [ c0 (1 − ⅓ Re tr P_μν) + c1 ((1 − ⅓ Re tr R_μν) + (1 − ⅓ Re tr R_νμ)) ],
// c0 + 8 c1 = 1. Wilson c1 = 0, tree-level Symanzik c1 = −1/12, Iwasaki c1 = −0.331,
// DBW2 c1 = −1.4088. The action is linear in every link: A ⊃ −⅓ Re tr(U_μ(x) Σ_μ(x)) with the
// weighted staple sum Σ = c0 Σ_plaq + c1 Σ_rect, which the force, heatbath and overrelaxation
// share: the staple formulas of lattice/GaugeLoops.h are written once and run per link (staple(), for
// the local updates) or on kSimdLanes sites at once (force(), on a structure-of-arrays copy of
// the links in the lane layout of lattice/LaneField.h). force() keeps that copy between calls,
// one per calling thread, the size of one gauge field; it is rebuilt when the lattice changes.
#include <string>

#include "fpgauge/actions/Action.h"

namespace fpgauge {

class GaugeLoopAction final : public Action {
 public:
  GaugeLoopAction(std::string name, double c1);
  static GaugeLoopAction wilson() { return {"wilson", 0.0}; }
  static GaugeLoopAction symanzik() { return {"symanzik", -1.0 / 12.0}; }
  static GaugeLoopAction iwasaki() { return {"iwasaki", -0.331}; }
  static GaugeLoopAction dbw2() { return {"dbw2", -1.4088}; }

  std::string name() const override { return name_; }
  nlohmann::json description() const override;
  double value(const GaugeField& u) const override;
  void force(const GaugeField& u, AlgebraField& d) const override;

  double c0() const { return c0_; }
  double c1() const { return c1_; }
  bool has_rectangles() const { return c1_ != 0.0; }
  // Σ_μ(x) = c0 Σ_plaq + c1 Σ_rect.
  SU3 staple(const GaugeField& u, SiteIndex s, int mu) const;

 private:
  std::string name_;
  double c0_, c1_;
};

}  // namespace fpgauge
