// When the certificate in a PEM file stops being valid, for the metric that warns before it does
// (course_gateway_efawateercom_certificate_expiry_timestamp_seconds). A bare key has no end date.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cg::efawateercom {

// notAfter of the first X.509 certificate in `pem`, in seconds since the Unix epoch; nullopt
// when there is no readable certificate.
std::optional<std::int64_t> certificate_not_after(std::string_view pem);
std::optional<std::int64_t> certificate_file_not_after(const std::string& path);

}  // namespace cg::efawateercom
