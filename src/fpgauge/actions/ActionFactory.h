#pragma once
// Every action of the project by name, for run cards and the command line. The factory sits
// above the actions it builds (the plaquette+rectangle family, the L-CNN adaptor), so that
// Action.h stays the bare interface.
#include <memory>
#include <string>

#include "fpgauge/actions/Action.h"

namespace fpgauge {

// "wilson", "symanzik" (tree-level Lüscher–Weisz), "iwasaki", "dbw2", "plaqrect:C1" for any
// rectangle coefficient c1 (c0 = 1 − 8 c1), or "lcnn:PATH" for the L-CNN model file PATH
// (nn/README.md), or "fatlink:PATH" for the fitted fat-link ansatz of the coefficients file PATH
// (FatLinkAction.h). Throws std::invalid_argument naming the known actions for an unknown name,
// and std::runtime_error naming the file for a model file that cannot be read.
std::unique_ptr<Action> make_action(const std::string& spec);

}  // namespace fpgauge
