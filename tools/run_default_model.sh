#!/bin/bash
# The full run behind models/default/ and docs/results.md: training ensembles over beta = 5 ... 20,
# their FP labels, instantons, the volume-transfer set, the architecture search, the baselines, the
# training, the finetuning on instantons and the evaluation. Every step resumes or finds itself done when the script is rerun.
#
#   tools/run_default_model.sh [FPGAUGE]        # from the repository root; FPGAUGE = build/fpgauge
#
# Cost on 2 idle cores: about 1.5 hours (labels ~1 s each for coarse 4^4 at beta >= 5.7 and ~5 s at
# beta = 5.0, ~16x that for 8^4; training ~40 configurations/s).
set -euo pipefail
fpgauge=${1:-build/fpgauge}
betas="5.0 5.7 6.0 7.0 8.0 12.0 20.0"

# The configurations of an ensemble in the line range $2 (sed syntax), as a TOML array.
configurations() {
  ls "out/ensembles/wilson_b$1"/config_*.nersc | sed -n "$2p" | sed "s/.*/'&'/" | paste -sd, -
}

for b in $betas; do "$fpgauge" generate "configs/ensembles/generate_wilson_b$b.toml"; done
for b in $betas; do
  card="configs/ensembles/label_wilson_b$b.toml"
  "$fpgauge" label "$card" --set "input.configurations=[$(configurations "$b" 1,100)]"
  "$fpgauge" label "$card" --set "input.configurations=[$(configurations "$b" 101,110)]" \
    --output "out/ensembles/validation_wilson_b$b.h5"
  "$fpgauge" label "$card" --set "input.configurations=[$(configurations "$b" 281,300)]" \
    --output "out/ensembles/test_wilson_b$b.h5"
done

[ -f out/default_instantons/index.json ] || "$fpgauge" instantons configs/default_model/instantons.toml
"$fpgauge" label configs/default_model/label_instantons.toml
[ -f out/default_instantons_8/index.json ] || "$fpgauge" instantons configs/default_model/instantons_8.toml
"$fpgauge" label configs/default_model/label_instantons.toml \
  --set "input.configurations=['out/default_instantons_8']" --output out/default_instantons_8.h5
[ -f out/default_instantons_24/index.json ] ||
  "$fpgauge" instantons configs/default_model/instantons_evaluate.toml
[ -f out/default_instantons_train_8/index.json ] ||
  "$fpgauge" instantons configs/default_model/instantons_train_8.toml
"$fpgauge" label configs/default_model/label_instantons.toml \
  --set "input.configurations=['out/default_instantons_train_8']" \
  --output out/default_instantons_train_8.h5
"$fpgauge" generate configs/default_model/generate_transfer_b6.0.toml
"$fpgauge" label configs/default_model/label_transfer_b6.0.toml

"$fpgauge" search configs/default_model/search.toml
# The network corrects the fitted fat-link ansatz: the baselines come first.
[ -f out/default_baselines/rescale.json ] || "$fpgauge" baselines configs/default_model/baselines.toml
"$fpgauge" train configs/default_model/train.toml
"$fpgauge" train configs/default_model/finetune.toml
"$fpgauge" evaluate configs/default_model/evaluate.toml --force
