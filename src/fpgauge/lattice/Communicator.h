#pragma once
// The processes of a run: MPI behind a small interface, so that no other file needs mpi.h.
// Started by mpirun (Open MPI sets OMPI_COMM_WORLD_SIZE, PMI/PMIx launchers PMI_SIZE or
// PMIX_RANK), the first call to world() initialises MPI and MPI_Finalize runs at exit; started
// without a launcher, the process is rank 0 of 1 and MPI is never initialised (no singleton
// start-up, which is slow and noisy in containers). Every collective below must be called by
// all ranks in the same order; errors are the caller's to make collective (see gather/broadcast).
#include <span>
#include <string>
#include <vector>

namespace fpgauge {

class Communicator {
 public:
  static const Communicator& world();

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool is_root() const { return rank_ == 0; }

  // Rank 0 receives every rank's message, in rank order; the other ranks receive nothing.
  std::vector<std::string> gather(const std::string& message) const;
  // Rank 0's message, on every rank.
  std::string broadcast(const std::string& message) const;
  // Replaces `values` on every rank by their sum over the ranks. Deterministic: rank 0 gathers
  // the vectors and adds them in rank order, then broadcasts the sum, so the result is the same
  // bits whatever reduction tree MPI would have chosen (and x + 0 = x: a rank contributing zeros
  // leaves the others' values exact).
  void sum_in_place(std::span<double> values) const;

 private:
  Communicator();
  ~Communicator();

  int rank_ = 0;
  int size_ = 1;
  bool initialised_mpi_ = false;
};

}  // namespace fpgauge
