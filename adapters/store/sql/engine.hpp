// What the SQL data layer (tx.cpp) needs from a database engine, and nothing more: prepared
// statements it can bind, step and read, on a session that is one transaction of one connection.
// adapters/store/sqlite/ and adapters/store/mysql/ each implement it over their client library;
// connections, threads, transactions and retries stay with them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/result.hpp"

namespace cg::store::sql {

// One cached prepared statement. Parameters are 1-based, in the order of the '?' in its SQL; a
// parameter a use leaves unbound is NULL. Columns are 0-based.
class Statement {
 public:
  // Text is not copied where the engine can avoid it (SQLite): it must stay as it is until this
  // use's last step(), as the callers' own variables and core::to_string's static names do.
  virtual void bind(int index, std::int64_t value) = 0;
  virtual void bind(int index, std::string_view text) = 0;
  virtual void bind_null(int index) = 0;

  // One step: true with a row, false when done.
  virtual Result<bool> step() = 0;
  // Runs a statement without rows to the end: the number of rows it matched.
  virtual Result<std::int64_t> run() = 0;
  // The last failure was a unique or primary key violation (only that statement failed).
  virtual bool duplicate_key() const = 0;

  virtual std::int64_t int64(int column) const = 0;
  virtual std::string text(int column) const = 0;
  virtual bool is_null(int column) const = 0;

  void bind(int index, const std::string& text) { bind(index, std::string_view(text)); }
  void bind(int index, const char* text) { bind(index, std::string_view(text)); }
  void bind(int index, std::string&& text) = delete;  // gone before the statement steps
  std::optional<std::string> optional_text(int column) const {
    if (is_null(column)) return std::nullopt;
    return text(column);
  }
  std::optional<std::int64_t> optional_int64(int column) const {
    if (is_null(column)) return std::nullopt;
    return int64(column);
  }

 protected:
  friend class Lease;
  ~Statement() = default;
  // Ends this use: the statement is reset (a reader keeps no snapshot open by accident).
  virtual void release() = 0;
};

// A cached statement lent out for one use, released when it goes out of scope.
class Lease {
 public:
  explicit Lease(Statement& st) : st_(&st) {}
  Lease(Lease&& other) noexcept : st_(std::exchange(other.st_, nullptr)) {}
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  Lease& operator=(Lease&&) = delete;
  ~Lease() {
    if (st_) st_->release();
  }
  Statement* operator->() const { return st_; }
  Statement& operator*() const { return *st_; }

  // The statement's own calls, so a Result<Lease> reads like the statement (st->step()).
  template <class T>
  void bind(int index, T&& value) {
    st_->bind(index, std::forward<T>(value));
  }
  void bind_null(int index) { st_->bind_null(index); }
  Result<bool> step() { return st_->step(); }
  Result<std::int64_t> run() { return st_->run(); }
  std::int64_t int64(int column) const { return st_->int64(column); }
  std::string text(int column) const { return st_->text(column); }
  bool is_null(int column) const { return st_->is_null(column); }
  std::optional<std::string> optional_text(int column) const { return st_->optional_text(column); }
  std::optional<std::int64_t> optional_int64(int column) const { return st_->optional_int64(column); }

 private:
  Statement* st_;
};

// One connection inside one transaction, as the data layer sees it.
class Session {
 public:
  // The cached statement for `sql`, prepared on first use. `what` names the operation in error
  // messages and must outlive the lease. The store's queries stay put (queries.hpp), which lets
  // SQLite find a statement by the address of its text; SQL built for one use works too.
  virtual Result<Lease> prepare(std::string_view sql, std::string_view what) = 0;
  // Runs SQL built for one use, without caching it.
  virtual Status exec(const std::string& sql, std::string_view what) = 0;
  // The key the last INSERT on this connection assigned.
  virtual Result<std::int64_t> last_insert_id() = 0;

 protected:
  ~Session() = default;
};

// Sets parameters left to right, as the '?' appear.
class Binder {
 public:
  explicit Binder(Statement& st) : st_(st) {}
  Binder& add(std::int64_t value) {
    st_.bind(next_++, value);
    return *this;
  }
  Binder& add(std::string_view text) {
    st_.bind(next_++, text);
    return *this;
  }
  Binder& add(const std::string& text) { return add(std::string_view(text)); }
  Binder& add(const char* text) { return add(std::string_view(text)); }
  Binder& add(std::string&& text) = delete;  // gone before the statement steps
  Binder& add(const std::optional<std::string>& text) { return text ? add(std::string_view(*text)) : null(); }
  Binder& add(const std::optional<std::int64_t>& value) { return value ? add(*value) : null(); }
  Binder& null() {
    st_.bind_null(next_++);
    return *this;
  }

 private:
  Statement& st_;
  int next_ = 1;
};

}  // namespace cg::store::sql
