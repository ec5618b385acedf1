#pragma once
// The checkpoint of an ensemble run (`fpgauge generate`): everything needed to continue the run
// exactly where it stopped. Random numbers are counter-based and keyed by (seed, purpose,
// update, site) (lattice/Rng.h), so the update counter IS the position of every random stream;
// with the field stored to the last bit, a resumed run is bit-identical to an uninterrupted one.
//
// One file, replaced atomically (io/OutputFile.h), so a kill at any moment leaves either the
// previous checkpoint or the new one:
//   line 1   "FPGAUGE_ENSEMBLE_CHECKPOINT 1"
//   line 2   one JSON object: update, log_bytes, accepted, acceptance_sum,
//            production_plaquette_sum (long doubles as hexadecimal floating-point strings, exact),
//            extents [Lx, Ly, Lz, Lt], payload_bytes, payload_crc32 (zlib crc32), run_card (TOML),
//            actions (absent in checkpoints written before it was added)
//   then     the field: links in file order [site][μ], 3x3 row-major (re, im), little-endian
//            IEEE 64-bit doubles (the bit patterns of the field in memory)
// The first bytes are ASCII text, so io/ConfigurationFile.h's detect_format never takes a
// checkpoint for a configuration.
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "fpgauge/lattice/Fields.h"

namespace fpgauge {

struct EnsembleCheckpoint {
  std::int64_t update = 0;                      // updates (sweeps or trajectories) done
  std::uint64_t log_bytes = 0;                  // length of the run's JSON-lines log after `update`
  std::int64_t accepted = 0;                    // HMC trajectories accepted so far
  long double acceptance_sum = 0.0L;            // Σ min(1, e^{−ΔH}) so far
  long double production_plaquette_sum = 0.0L;  // Σ ⟨P⟩ of the configurations written
  std::string run_card;  // the resolved run card (TOML) the run was made with
  // What the card's action names resolved to (Action::description() of each): the card names a
  // model or coefficients file by path only, so this is what shows that the file is unchanged.
  // Null for a checkpoint written before it was recorded.
  nlohmann::json actions;
  GaugeField field;      // the field after `update`
};

// Replaces `file` atomically (overwriting a previous checkpoint).
void write_ensemble_checkpoint(const std::filesystem::path& file,
                               const EnsembleCheckpoint& checkpoint);

// Throws std::runtime_error naming the file, the item and the value found for a file that is
// not a complete, intact checkpoint (wrong first line, malformed JSON, extents, size, CRC, a
// link that is not a finite SU(3) matrix).
EnsembleCheckpoint read_ensemble_checkpoint(const std::filesystem::path& file);

}  // namespace fpgauge
