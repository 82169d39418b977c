// Playing eFAWATEERcom by hand: build and sign a test bill pull or payment notification, and
// optionally post it to the gateway and check the signed answer.
//
//   course-gateway efawateercom-sign --key PEM --type bill-pull|payment --billing-number N
//       [--amount 25.000] [--due-amount 25.000] [--trx ID] [--bill-no N] [--stmt-date YYYY-MM-DD]
//       [--guid G] [--biller-code C] [--sender-code S] [--service-type T] [--config FILE]
//   course-gateway efawateercom-send --url URL [--basic-auth USER:PASSWORD] [--biller-cert PEM] ...the same...
//
// --key is the private key eFAWATEERcom signs with (the gateway verifies with the matching
// efawateercom.verifying_cert_path). Codes and the UTC offset default to --config's (biller.code,
// efawateercom.efawateercom_code, biller.service_type, utc_offset_minutes), else 250, EFAWATEERCOM,
// CourseFees, +180. --url may be the gateway's base URL (the endpoint's path is added) or the endpoint.
// -sign prints the signed XML; -send prints the answer, and with --biller-cert checks its signature.
// Exit status: 0 done (for -send: HTTP 200 and, when checked, a valid signature), 1 failed, 2 usage.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace cg::gateway {

// `args` starts with the subcommand ("efawateercom-sign" or "efawateercom-send").
int run_efawateercom_tool(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace cg::gateway
