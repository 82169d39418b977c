#include "adapters/store/store.hpp"

#include <future>
#include <utility>

namespace cg::store {

// Waits on the writer's answer. Must not be called from inside a `done` callback (that runs on
// the writer thread, which would then wait for itself).
Status Store::write_sync(Command command) {
  std::promise<Status> answer;
  auto future = answer.get_future();
  write(std::move(command), [&answer](const Status& s) { answer.set_value(s); });
  return future.get();
}

}  // namespace cg::store
