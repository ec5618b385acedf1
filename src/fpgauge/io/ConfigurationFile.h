#pragma once
// One entry point for gauge configuration files of every supported format: NERSC (io/Nersc.h),
// ILDG in LIME (io/Ildg.h) and the openQCD export format (io/OpenQcd.h). The format of a file
// is recognised by its content, never by its name:
//   NERSC    the first non-blank line is BEGIN_HEADER
//   ILDG     the file starts with the LIME magic number 0x456789ab (big-endian)
//   openQCD  the first 16 bytes are four little-endian int32 lattice sizes in [1, 65536]
// (a NERSC header is ASCII and a LIME file starts with 0x45 0x67 0x89 0xab, so no file of one
// format looks like another's). Reading and writing keep the guarantees of each format's
// module: every check of the format on read, the plaquette recomputed (and compared with the
// header wherever the file states one), outputs complete or absent, no overwriting unless asked.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "fpgauge/lattice/Fields.h"

namespace fpgauge {

enum class ConfigurationFormat { nersc, ildg, openqcd };

// "nersc", "ildg", "openqcd".
std::string_view format_name(ConfigurationFormat format);
// The inverse of format_name; throws std::invalid_argument naming the choices.
ConfigurationFormat parse_configuration_format(std::string_view name);
// Bits per real a format can write: NERSC and ILDG 32 or 64, openQCD 64.
bool format_supports_precision(ConfigurationFormat format, int bits);
// The file extension fpgauge gives its outputs: ".nersc", ".lime", ".oqcd" (readers go by
// content, not by name).
std::string_view format_extension(ConfigurationFormat format);

// Throws std::runtime_error naming the file and its first bytes if no format matches.
ConfigurationFormat detect_format(const std::filesystem::path& file);

struct ConfigurationFile {
  GaugeField field;
  ConfigurationFormat format = ConfigurationFormat::nersc;
  int precision = 64;                         // bits per real in the file
  std::map<std::string, std::string> header;  // the file's header values, as found
  bool checksum_verified = false;             // false: the file carries no checksum
  std::string checksum;                       // the verified checksum, or why there is none
};

// Reads any supported format; `expected_extents` (x, y, z, t), if given, must match the file.
ConfigurationFile read_configuration(
    const std::filesystem::path& file,
    const std::optional<Coordinates>& expected_extents = std::nullopt);

// Where a configuration belongs: NERSC ENSEMBLE_ID and SEQUENCE_NUMBER, ILDG ildg-data-lfn
// "lfn://ENSEMBLE_ID/SEQUENCE_NUMBER"; the openQCD format has no place for it.
struct EnsembleLabel {
  std::string ensemble_id = "fpgauge";
  std::int64_t sequence_number = 0;
};

// Writes `u` in `format` at `precision` bits per real. Throws std::invalid_argument for a
// precision the format cannot store.
void write_configuration(const std::filesystem::path& file, const GaugeField& u,
                         ConfigurationFormat format, int precision = 64, bool overwrite = false,
                         const EnsembleLabel& label = {});

}  // namespace fpgauge
