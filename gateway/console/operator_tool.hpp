// `course-gateway operator add|list|disable|reset --config FILE ...`: manages console operators
// on the configured store directly, so the first admin can be added before anyone can sign in.
// Passwords never come from the command line (other users see it in the process list): from
// --password-file FILE ("-" reads one line from standard input), or generated and printed once.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace cg::gateway::console {

// args[0] is "operator". Returns the exit status: 0 done, 1 failed, 2 usage.
int run_operator_tool(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace cg::gateway::console
