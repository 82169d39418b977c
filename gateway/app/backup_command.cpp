#include "gateway/app/backup_command.hpp"

#include "adapters/store/sqlite/backup.hpp"

namespace cg::gateway {

int run_backup(const Config& config, const std::string& to, bool force, std::ostream& out, std::ostream& err) {
  constexpr std::string_view kSqlite = "sqlite:";
  if (!config.store.url.starts_with(kSqlite)) {
    err << "course-gateway backup: store.url is a MySQL/MariaDB database, which this command does not copy; "
           "back it up with mariadb-dump --single-transaction or mariabackup (docs/backup.md)\n";
    return 2;
  }
  store::sqlite::BackupSettings settings;
  settings.source = config.store.url.substr(kSqlite.size());
  settings.target = to;
  settings.replace = force;
  auto report = store::sqlite::backup(settings);
  if (!report) {
    err << "course-gateway backup: " << report.error().message << "\n";
    return 1;
  }
  out << to << ": " << report->pages << " pages of " << report->page_size << " bytes copied from " << settings.source
      << "; integrity_check ok\n";
  return 0;
}

}  // namespace cg::gateway
