// The behaviour every Store backend must have. A backend joins by defining a Backend and
// instantiating the suite with it (see sqlite_backend.cpp):
//   INSTANTIATE_TEST_SUITE_P(Name, StoreContract, testing::Values(my_backend()), BackendName{});
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "adapters/store/store.hpp"

namespace cg::store::testing {

struct Backend {
  std::string name;
  // Opens (creating when new) the store kept under `scratch`, a name unique to one test; the same
  // scratch opens the same data again after close().
  std::function<Result<std::unique_ptr<Store>>(const std::string& scratch)> open;
  // Removes everything `open` created for `scratch`.
  std::function<void(const std::string& scratch)> remove;
};

// Test names and ctest's list show the backend by name rather than its bytes.
inline void PrintTo(const Backend& backend, std::ostream* os) { *os << backend.name; }

struct BackendName {
  std::string operator()(const ::testing::TestParamInfo<Backend>& info) const { return info.param.name; }
};

class StoreContract : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Opens the test's store (again); fails the test when it cannot.
  std::unique_ptr<Store> open_store();
  // close() and open again: what survives is what was durable.
  void reopen();

  std::string scratch_;
  std::unique_ptr<Store> store_;
};

// A store outcome for a test's failure message.
inline std::string describe(const Status& s) { return s.ok() ? "ok" : s.error().code + ": " + s.error().message; }

// Runs `f` in a read snapshot and hands back what it returned; fails the test on a store error.
template <class T>
T read_value(Store& store, const std::function<Result<T>(Tx&)>& f) {
  std::optional<T> out;
  Status s = store.read([&](Tx& tx) -> Status {
    auto r = f(tx);
    if (!r) return r.error();
    out = std::move(*r);
    return ok_status();
  });
  EXPECT_TRUE(s.ok()) << describe(s);
  return out ? std::move(*out) : T{};
}

}  // namespace cg::store::testing
