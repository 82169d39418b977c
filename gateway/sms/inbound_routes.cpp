#include "gateway/sms/inbound_routes.hpp"

namespace cg::gateway {

void register_sms_inbound_routes(http::Router& router, const ProviderContext& ctx) {
  for (const auto& provider : sms_providers())
    if (provider.inbound) add_provider_route(router, *provider.inbound, ctx);
}

}  // namespace cg::gateway
