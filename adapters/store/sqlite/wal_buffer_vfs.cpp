#include "adapters/store/sqlite/wal_buffer_vfs.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <new>
#include <vector>

namespace cg::store::sqlite {
namespace {

// Writes past this many bytes go out at once, so a huge transaction holds a bounded buffer.
constexpr std::size_t kMaxBuffered = 4u << 20;

sqlite3_vfs* g_base = nullptr;  // the wrapped VFS
std::atomic<unsigned long long> g_writes_asked{0};
std::atomic<unsigned long long> g_writes_made{0};

// Our file object; the wrapped VFS's own file object lives right after it (szOsFile covers both).
struct File {
  sqlite3_file base;          // must be first: SQLite sees a File* as a sqlite3_file*
  sqlite3_file* real;         // the wrapped file
  sqlite3_int64 start;        // file offset of buffer[0]
  std::vector<char>* buffer;  // pending bytes: WAL files only (null for every other file)
};

File* self(sqlite3_file* f) { return reinterpret_cast<File*>(f); }

// The unix VFS writes at most 128 KiB - 1 bytes per call (it masks larger lengths), so the buffer
// goes out in pieces below that.
constexpr std::size_t kMaxWrite = 0x1f000;

int flush(File* f) {
  if (!f->buffer || f->buffer->empty()) return SQLITE_OK;
  int rc = SQLITE_OK;
  for (std::size_t done = 0; done < f->buffer->size() && rc == SQLITE_OK;) {
    std::size_t n = std::min(f->buffer->size() - done, kMaxWrite);
    rc = f->real->pMethods->xWrite(f->real, f->buffer->data() + done, static_cast<int>(n),
                                   f->start + static_cast<sqlite3_int64>(done));
    g_writes_made.fetch_add(1, std::memory_order_relaxed);
    done += n;
  }
  // On failure the bytes are dropped: SQLite treats a failed WAL write as the end of the
  // transaction, which never reaches its commit record.
  f->buffer->clear();
  return rc;
}

int x_close(sqlite3_file* file) {
  File* f = self(file);
  int flushed = flush(f);
  int rc = f->real->pMethods ? f->real->pMethods->xClose(f->real) : SQLITE_OK;
  delete f->buffer;
  f->buffer = nullptr;
  return flushed != SQLITE_OK ? flushed : rc;
}

int x_read(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
  File* f = self(file);
  if (int rc = flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xRead(f->real, out, amount, offset);
}

int x_write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  File* f = self(file);
  if (!f->buffer) return f->real->pMethods->xWrite(f->real, data, amount, offset);
  g_writes_asked.fetch_add(1, std::memory_order_relaxed);
  std::vector<char>& buffer = *f->buffer;
  const bool continues = !buffer.empty() && offset == f->start + static_cast<sqlite3_int64>(buffer.size());
  if (!buffer.empty() && (!continues || buffer.size() + static_cast<std::size_t>(amount) > kMaxBuffered)) {
    if (int rc = flush(f); rc != SQLITE_OK) return rc;
  }
  if (buffer.empty()) f->start = offset;
  try {
    const char* bytes = static_cast<const char*>(data);
    buffer.insert(buffer.end(), bytes, bytes + amount);
  } catch (const std::bad_alloc&) {
    return SQLITE_IOERR_NOMEM;
  }
  return SQLITE_OK;
}

int x_truncate(sqlite3_file* file, sqlite3_int64 size) {
  File* f = self(file);
  if (int rc = flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xTruncate(f->real, size);
}

int x_sync(sqlite3_file* file, int flags) {
  File* f = self(file);
  if (int rc = flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xSync(f->real, flags);
}

int x_file_size(sqlite3_file* file, sqlite3_int64* size) {
  File* f = self(file);
  if (int rc = flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xFileSize(f->real, size);
}

int x_lock(sqlite3_file* file, int level) { return self(file)->real->pMethods->xLock(self(file)->real, level); }
int x_unlock(sqlite3_file* file, int level) { return self(file)->real->pMethods->xUnlock(self(file)->real, level); }
int x_check_reserved_lock(sqlite3_file* file, int* out) {
  return self(file)->real->pMethods->xCheckReservedLock(self(file)->real, out);
}
int x_file_control(sqlite3_file* file, int op, void* arg) {
  return self(file)->real->pMethods->xFileControl(self(file)->real, op, arg);
}
int x_sector_size(sqlite3_file* file) { return self(file)->real->pMethods->xSectorSize(self(file)->real); }
int x_device_characteristics(sqlite3_file* file) {
  return self(file)->real->pMethods->xDeviceCharacteristics(self(file)->real);
}
int x_shm_map(sqlite3_file* file, int region, int size, int extend, void volatile** out) {
  return self(file)->real->pMethods->xShmMap(self(file)->real, region, size, extend, out);
}
int x_shm_lock(sqlite3_file* file, int offset, int n, int flags) {
  return self(file)->real->pMethods->xShmLock(self(file)->real, offset, n, flags);
}
void x_shm_barrier(sqlite3_file* file) { self(file)->real->pMethods->xShmBarrier(self(file)->real); }
int x_shm_unmap(sqlite3_file* file, int delete_flag) {
  return self(file)->real->pMethods->xShmUnmap(self(file)->real, delete_flag);
}
int x_fetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** out) {
  File* f = self(file);
  if (int rc = flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xFetch(f->real, offset, amount, out);
}
int x_unfetch(sqlite3_file* file, sqlite3_int64 offset, void* page) {
  return self(file)->real->pMethods->xUnfetch(self(file)->real, offset, page);
}

// The methods of a given version (1 to 3): a wrapped file of an older version has not the newer
// methods, and SQLite does without them.
sqlite3_io_methods methods_of_version(int version) {
  sqlite3_io_methods m{};
  m.iVersion = version;
  m.xClose = x_close;
  m.xRead = x_read;
  m.xWrite = x_write;
  m.xTruncate = x_truncate;
  m.xSync = x_sync;
  m.xFileSize = x_file_size;
  m.xLock = x_lock;
  m.xUnlock = x_unlock;
  m.xCheckReservedLock = x_check_reserved_lock;
  m.xFileControl = x_file_control;
  m.xSectorSize = x_sector_size;
  m.xDeviceCharacteristics = x_device_characteristics;
  if (m.iVersion >= 2) {
    m.xShmMap = x_shm_map;
    m.xShmLock = x_shm_lock;
    m.xShmBarrier = x_shm_barrier;
    m.xShmUnmap = x_shm_unmap;
  }
  if (m.iVersion >= 3) {
    m.xFetch = x_fetch;
    m.xUnfetch = x_unfetch;
  }
  return m;
}

// Ours for a wrapped file's methods: the same version, up to 3. Built once (a thread-safe static),
// never changed after.
const sqlite3_io_methods* methods_table(const sqlite3_io_methods* real) {
  static const sqlite3_io_methods tables[3] = {methods_of_version(1), methods_of_version(2), methods_of_version(3)};
  int version = real->iVersion < 1 ? 1 : (real->iVersion > 3 ? 3 : real->iVersion);
  return &tables[version - 1];
}

int x_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  File* f = self(file);
  f->base.pMethods = nullptr;
  f->real = reinterpret_cast<sqlite3_file*>(f + 1);
  f->start = 0;
  f->buffer = nullptr;
  int rc = g_base->xOpen(g_base, name, f->real, flags, out_flags);
  if (rc != SQLITE_OK) {
    // SQLite calls our xClose only when our pMethods is set, so the wrapped file is closed here.
    if (f->real->pMethods) f->real->pMethods->xClose(f->real);
    return rc;
  }
  if (flags & SQLITE_OPEN_WAL) {
    f->buffer = new (std::nothrow) std::vector<char>();
    if (!f->buffer) {
      f->real->pMethods->xClose(f->real);
      return SQLITE_NOMEM;
    }
  }
  f->base.pMethods = methods_table(f->real->pMethods);
  return SQLITE_OK;
}

}  // namespace

WalBufferStats wal_buffer_stats() {
  return WalBufferStats{g_writes_asked.load(std::memory_order_relaxed), g_writes_made.load(std::memory_order_relaxed)};
}

const char* wal_buffer_vfs_name() {
  static const char* name = []() -> const char* {
    static sqlite3_vfs vfs;
    if (sqlite3_initialize() != SQLITE_OK) return nullptr;
    g_base = sqlite3_vfs_find(nullptr);
    if (!g_base) return nullptr;
    // Everything but opening is the wrapped VFS's own, which finds its settings in pAppData.
    vfs = *g_base;
    vfs.pNext = nullptr;
    vfs.zName = "cg-wal-buffer";
    vfs.szOsFile = static_cast<int>(sizeof(File)) + g_base->szOsFile;
    vfs.xOpen = x_open;
    if (sqlite3_vfs_register(&vfs, 0) != SQLITE_OK) return nullptr;
    return vfs.zName;
  }();
  return name;
}

}  // namespace cg::store::sqlite
