// A SQLite VFS that batches the writes of a write-ahead log into one system call per commit.
//
// SQLite writes each WAL frame as two pwrite calls (its 24-byte header, then the page), so a group
// commit of a few dozen applications makes well over a hundred system calls before its one sync.
// This VFS wraps the platform's default one and, for WAL files only, keeps writes that continue one
// another in memory, handing them to the real file as one write before anything that could observe
// them: a sync, a read, the file's size, a truncation, closing the file. Other files (the database
// itself, temporary files) pass straight through.
//
// Safe only where every commit syncs the WAL (synchronous=FULL or EXTRA): SQLite publishes a commit's
// frames to other connections after that sync, so no reader can be told of a frame that is still in
// the buffer. Under synchronous=NORMAL a commit does not sync, and the store opens its connections
// with the platform's VFS instead.
#pragma once

namespace cg::store::sqlite {

// What the VFS did since the process started, over all its WAL files: the writes SQLite asked for
// and the writes that reached the wrapped files. Relaxed counters, for tests and benchmarks.
struct WalBufferStats {
  unsigned long long writes_asked = 0;
  unsigned long long writes_made = 0;
};
WalBufferStats wal_buffer_stats();

// Registers the VFS on first use (not as the default) and returns its name for sqlite3_open_v2;
// nullptr when SQLite has no default VFS to wrap or registration failed.
const char* wal_buffer_vfs_name();

}  // namespace cg::store::sqlite
