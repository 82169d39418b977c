#include "gateway/app/online_check.hpp"

#include "adapters/store/open.hpp"
#include "gateway/sms/providers.hpp"

namespace cg::gateway {

std::vector<OnlineCheck> check_online(const Config& config) {
  std::vector<OnlineCheck> out;
  auto store = store::probe_store(store::StoreSettings{.url = config.store.url,
                                                       .readers = config.store.readers,
                                                       .pool = config.store.pool,
                                                       .synchronous_full = config.store.synchronous_full});
  out.push_back({"store", store.ok(), store ? *store : store.error().message});
  for (std::size_t i = 0; i < config.sms.providers.size(); ++i) {
    const auto& p = config.sms.providers[i];
    OnlineCheck check{"sms.providers[" + std::to_string(i) + "] " + p.name + " (" + p.kind + ")", false, ""};
    const SmsProvider* provider = find_sending_provider(p.kind);
    if (!provider || !provider->probe) {
      check.ok = true;
      check.detail = "nothing to check for kind " + p.kind;
    } else {
      auto r = provider->probe(p);
      check.ok = r.ok();
      check.detail = r ? *r : r.error().message;
    }
    out.push_back(std::move(check));
  }
  return out;
}

}  // namespace cg::gateway
