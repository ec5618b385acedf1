#include "fpgauge/lattice/Communicator.h"

#include <mpi.h>

#include <cstdint>
#include <cstdlib>
#include <stdexcept>

namespace fpgauge {
namespace {

bool started_by_mpi_launcher() {
  for (const char* variable : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"})
    if (std::getenv(variable)) return true;
  return false;
}

int checked_count(std::size_t bytes) {
  if (bytes > static_cast<std::size_t>(INT32_MAX))
    throw std::length_error("MPI message larger than 2 GiB");
  return static_cast<int>(bytes);
}

}  // namespace

const Communicator& Communicator::world() {
  static const Communicator instance;
  return instance;
}

Communicator::Communicator() {
  if (!started_by_mpi_launcher()) return;
  int already = 0;
  MPI_Initialized(&already);
  if (!already) {
    // OpenMP threads compute; only the main thread communicates.
    int provided = 0;
    MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
    initialised_mpi_ = true;
  }
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

Communicator::~Communicator() {
  int finalised = 0;
  if (initialised_mpi_ && (MPI_Finalized(&finalised), !finalised)) MPI_Finalize();
}

std::vector<std::string> Communicator::gather(const std::string& message) const {
  if (size_ == 1) return {message};
  const int count = checked_count(message.size());
  std::vector<int> counts(is_root() ? size_ : 0), offsets(counts.size());
  MPI_Gather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::size_t total = 0;
  for (int r = 0; r < static_cast<int>(counts.size()); ++r) {
    offsets[r] = checked_count(total);
    total += static_cast<std::size_t>(counts[r]);
  }
  std::string all(total, '\0');
  MPI_Gatherv(message.data(), count, MPI_CHAR, all.data(), counts.data(), offsets.data(),
              MPI_CHAR, 0, MPI_COMM_WORLD);
  std::vector<std::string> messages;
  for (int r = 0; r < static_cast<int>(counts.size()); ++r)
    messages.push_back(all.substr(static_cast<std::size_t>(offsets[r]),
                                  static_cast<std::size_t>(counts[r])));
  return messages;
}

std::string Communicator::broadcast(const std::string& message) const {
  if (size_ == 1) return message;
  std::uint64_t bytes = message.size();
  MPI_Bcast(&bytes, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
  std::string received = is_root() ? message : std::string(bytes, '\0');
  MPI_Bcast(received.data(), checked_count(received.size()), MPI_CHAR, 0, MPI_COMM_WORLD);
  return received;
}

void Communicator::sum_in_place(std::span<double> values) const {
  if (size_ == 1 || values.empty()) return;
  const int count = checked_count(values.size_bytes()) / static_cast<int>(sizeof(double));
  std::vector<double> all(is_root() ? values.size() * static_cast<std::size_t>(size_) : 0);
  MPI_Gather(values.data(), count, MPI_DOUBLE, all.data(), count, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  if (is_root())
    for (int r = 1; r < size_; ++r)
      for (std::size_t k = 0; k < values.size(); ++k)
        values[k] += all[static_cast<std::size_t>(r) * values.size() + k];
  MPI_Bcast(values.data(), count, MPI_DOUBLE, 0, MPI_COMM_WORLD);
}

}  // namespace fpgauge
