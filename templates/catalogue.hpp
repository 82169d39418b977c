// The words of every SMS, in Arabic and English: core::Message (template id, language, parameters)
// in, the text to send out.
//
// The texts live in templates/text/ar.txt and templates/text/en.txt (their header is the format
// spec), are compiled into the library (builtin()), and an operator may replace them with a directory
// holding edited copies (from_directory()). Every way of loading checks the texts completely, so a bad
// edit stops the start with a message naming the file, line, template and parameter.
//
// Parameter types the renderer expects from core/ (what each placeholder format accepts):
//   title, biller_name, service_type      LocalizedText (or std::string)
//   code, biller_code, billing_number     std::string, shown as is (Western digits)
//   exam_link, evaluation_link, location  std::string (location may also be a LocalizedText)
//   start_at, end_at, due_at              Instant, through {x:date} / {x:time} / {a..b:date}
//   amount                                Fils, shown as "45.500 JOD" / "45.500 دينار"
//   counts                                std::int64_t, in the language's digits
#pragma once

#include <array>
#include <chrono>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "core/message.hpp"
#include "core/result.hpp"

namespace cg::templates {

struct RenderSettings {
  std::chrono::minutes utc_offset{180};  // Asia/Amman: UTC+3 all year since 2022
};

// The texts compiled into the library, as written in templates/text/<language>.txt.
std::string_view builtin_text(core::Language language);

namespace detail {
enum class Format { plain, date, time, num };
// One piece of a parsed text: literal text, or a placeholder for one parameter or a range of two.
struct Piece {
  std::string literal;  // when `name` is empty
  std::string name;
  std::string range_end;  // {name..range_end:format}
  Format format = Format::plain;
  std::string source;  // the placeholder as written, for error messages
};
using Text = std::vector<Piece>;
}  // namespace detail

class Catalogue {
 public:
  static Result<Catalogue> builtin();
  // `ar` and `en` are the contents of ar.txt and en.txt.
  static Result<Catalogue> from_texts(std::string_view ar, std::string_view en);
  // Reads <directory>/ar.txt and <directory>/en.txt; both must be complete (no fallback to builtin).
  static Result<Catalogue> from_directory(const std::string& directory);

  // The SMS text of the message in its language. Fails when a parameter the text uses is missing or
  // has a type its placeholder cannot format. The result is passed through core::fold_for_gsm7, so a
  // text that is GSM-7 but for typography goes out as GSM-7.
  Result<std::string> render(const core::Message& message, const RenderSettings& settings) const;

 private:
  Catalogue() = default;
  static Result<Catalogue> parse(std::string_view ar, std::string ar_origin, std::string_view en,
                                 std::string en_origin);
  static constexpr std::size_t kTemplateCount = std::size(core::kAllTemplates);
  std::array<std::array<detail::Text, kTemplateCount>, 2> texts_;  // [language][template]
};

}  // namespace cg::templates
