#include "templates/catalogue.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "core/sms.hpp"
#include "templates/localize.hpp"

namespace cg::templates {
namespace {

using core::Language;
using core::TemplateId;
using detail::Format;
using detail::Piece;
using detail::Text;

constexpr std::size_t kCount = std::size(core::kAllTemplates);

std::size_t index_of(TemplateId id) {
  auto it = std::find(std::begin(core::kAllTemplates), std::end(core::kAllTemplates), id);
  return static_cast<std::size_t>(it - std::begin(core::kAllTemplates));
}
std::size_t index_of(Language l) { return l == Language::ar ? 0 : 1; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string parameter_list(TemplateId id) {
  std::string out;
  for (std::string_view p : core::template_parameters(id)) {
    if (!out.empty()) out += ", ";
    out += p;
  }
  return out;
}

bool valid_name(std::string_view n) {
  if (n.empty() || n.front() < 'a' || n.front() > 'z') return false;
  return std::all_of(n.begin(), n.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

// Parses one language's file. `origin` names it in errors ("ar", "/etc/course-gateway/texts/ar.txt").
class FileParser {
 public:
  FileParser(Language language, std::string origin) : language_(language), origin_(std::move(origin)) {}

  Result<std::array<Text, kCount>> parse(std::string_view file) {
    if (file.substr(0, 3) == "\xEF\xBB\xBF") file.remove_prefix(3);  // a BOM from Windows editors

    struct Section {
      int header_line = 0;
      std::vector<std::pair<int, std::string_view>> lines;
    };
    std::array<std::optional<Section>, kCount> sections;
    Section* current = nullptr;
    TemplateId current_id{};

    int line_no = 0;
    for (std::size_t pos = 0; pos <= file.size();) {
      std::size_t end = file.find('\n', pos);
      if (end == std::string_view::npos) end = file.size();
      std::string_view raw = file.substr(pos, end - pos);
      pos = end + 1;
      ++line_no;
      if (!core::is_valid_utf8(raw)) return error(line_no, "is not valid UTF-8 (save the file as UTF-8)");
      std::string_view line = trim(raw);
      if (!line.empty() && line.front() == '#') continue;
      if (line.size() >= 2 && line.front() == '[' && line.back() == ']') {
        std::string_view name = trim(line.substr(1, line.size() - 2));
        if (!core::parse_template_id(name, current_id)) {
          return error(line_no, "unknown template " + quoted(name) + " (known: " + known_templates() + ")");
        }
        auto& slot = sections[index_of(current_id)];
        if (slot) {
          return error(line_no, "template " + quoted(name) + " appears twice (first on line " +
                                    std::to_string(slot->header_line) + ")");
        }
        slot = Section{line_no, {}};
        current = &*slot;
        continue;
      }
      if (!current) {
        if (line.empty()) continue;
        return error(line_no, "text before the first [template] header");
      }
      current->lines.emplace_back(line_no, line);
    }

    std::array<Text, kCount> texts;
    for (TemplateId id : core::kAllTemplates) {
      auto& section = sections[index_of(id)];
      if (!section) {
        return make_error("invalid_templates", origin_ + ": template " + quoted(core::to_string(id)) + " (" +
                                                   std::string(core::to_string(language_)) + ") is missing");
      }
      auto& lines = section->lines;
      while (!lines.empty() && lines.back().second.empty()) lines.pop_back();
      auto first = std::find_if(lines.begin(), lines.end(), [](const auto& l) { return !l.second.empty(); });
      lines.erase(lines.begin(), first);
      if (lines.empty()) return error(section->header_line, id, "has no text");

      Text& text = texts[index_of(id)];
      for (std::size_t i = 0; i < lines.size(); ++i) {
        if (i > 0) append_literal(text, "\n");
        if (auto e = parse_line(id, lines[i].first, lines[i].second, text)) return *e;
      }
    }
    return texts;
  }

 private:
  Error error(int line, const std::string& what) const {
    return make_error("invalid_templates", origin_ + ", line " + std::to_string(line) + ": " + what);
  }
  Error error(int line, TemplateId id, const std::string& what) const {
    return error(
        line, "template " + quoted(core::to_string(id)) + " (" + std::string(core::to_string(language_)) + ") " + what);
  }

  static std::string known_templates() {
    std::string out;
    for (TemplateId id : core::kAllTemplates) {
      if (!out.empty()) out += ", ";
      out += core::to_string(id);
    }
    return out;
  }

  static void append_literal(Text& text, std::string_view s) {
    if (text.empty() || !text.back().name.empty()) text.push_back(Piece{});
    text.back().literal += s;
  }

  std::optional<Error> parse_line(TemplateId id, int line_no, std::string_view line, Text& text) const {
    for (std::size_t i = 0; i < line.size();) {
      char c = line[i];
      bool doubled = i + 1 < line.size() && line[i + 1] == c;
      if (c == '{' && doubled) {
        append_literal(text, "{");
        i += 2;
      } else if (c == '}' && doubled) {
        append_literal(text, "}");
        i += 2;
      } else if (c == '}') {
        return error(line_no, id, "has a '}' without '{' (write }} for a literal brace)");
      } else if (c == '{') {
        std::size_t close = line.find('}', i + 1);
        if (close == std::string_view::npos) {
          return error(line_no, id, "has a '{' that is not closed on its line (write {{ for a literal brace)");
        }
        std::string_view source = line.substr(i, close - i + 1);
        auto piece = parse_placeholder(id, line_no, source);
        if (!piece) return piece.error();
        text.push_back(std::move(piece.value()));
        i = close + 1;
      } else {
        append_literal(text, line.substr(i, 1));
        ++i;
      }
    }
    return std::nullopt;
  }

  Result<Piece> parse_placeholder(TemplateId id, int line_no, std::string_view source) const {
    std::string_view inner = source.substr(1, source.size() - 2);
    Piece p;
    p.source = std::string(source);
    std::string_view names = inner, format;
    if (std::size_t colon = inner.find(':'); colon != std::string_view::npos) {
      names = inner.substr(0, colon);
      format = inner.substr(colon + 1);
      if (format == "date") {
        p.format = Format::date;
      } else if (format == "time") {
        p.format = Format::time;
      } else if (format == "num") {
        p.format = Format::num;
      } else {
        return error(line_no, id,
                     "has unknown format " + quoted(format) + " in " + p.source + " (use date, time or num)");
      }
    }
    std::string_view second;
    if (std::size_t dots = names.find(".."); dots != std::string_view::npos) {
      second = names.substr(dots + 2);
      names = names.substr(0, dots);
      if (!valid_name(second)) {
        return error(line_no, id, "has a malformed placeholder " + p.source + " (a range is {start..end:date})");
      }
      if (p.format != Format::date && p.format != Format::time) {
        return error(line_no, id, "has a range " + p.source + " without :date or :time");
      }
    }
    if (!valid_name(names)) {
      return error(line_no, id,
                   "has a malformed placeholder " + p.source +
                       " (a parameter name is lower-case letters, digits and '_', like {title} or {start_at:date})");
    }
    p.name = std::string(names);
    p.range_end = std::string(second);
    auto params = core::template_parameters(id);
    for (const std::string& n : {p.name, p.range_end}) {
      if (n.empty()) continue;
      if (std::find(params.begin(), params.end(), n) == params.end()) {
        return error(line_no, id,
                     "uses parameter " + quoted(n) + ", which it is not given (it has: " + parameter_list(id) + ")");
      }
    }
    return p;
  }

  Language language_;
  std::string origin_;
};

std::string_view type_name(const core::Value& v) {
  switch (v.index()) {
    case 0:
      return "text";
    case 1:
      return "text in two languages";
    case 2:
      return "money";
    case 3:
      return "time";
    default:
      return "integer";
  }
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("templates_unreadable", "cannot read " + path + ": " + std::strerror(errno));
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) return make_error("templates_unreadable", "cannot read " + path);
  return s.str();
}

}  // namespace

Result<Catalogue> Catalogue::parse(std::string_view ar, std::string ar_origin, std::string_view en,
                                   std::string en_origin) {
  Catalogue c;
  auto a = FileParser(Language::ar, std::move(ar_origin)).parse(ar);
  if (!a) return a.error();
  auto e = FileParser(Language::en, std::move(en_origin)).parse(en);
  if (!e) return e.error();
  c.texts_[index_of(Language::ar)] = std::move(a.value());
  c.texts_[index_of(Language::en)] = std::move(e.value());
  return c;
}

Result<Catalogue> Catalogue::from_texts(std::string_view ar, std::string_view en) { return parse(ar, "ar", en, "en"); }

Result<Catalogue> Catalogue::builtin() {
  return parse(builtin_text(Language::ar), "builtin ar.txt", builtin_text(Language::en), "builtin en.txt");
}

Result<Catalogue> Catalogue::from_directory(const std::string& directory) {
  std::string base = directory.empty() || directory.back() == '/' ? directory : directory + "/";
  std::string ar_path = base + "ar.txt", en_path = base + "en.txt";
  auto ar = read_file(ar_path);
  if (!ar) return ar.error();
  auto en = read_file(en_path);
  if (!en) return en.error();
  return parse(ar.value(), ar_path, en.value(), en_path);
}

Result<std::string> Catalogue::render(const core::Message& message, const RenderSettings& settings) const {
  const Language lang = message.language;
  const Text& text = texts_[index_of(lang)][index_of(message.template_id)];
  auto where = [&] {
    return "template " + quoted(core::to_string(message.template_id)) + " (" + std::string(core::to_string(lang)) + ")";
  };
  auto find = [&](const std::string& name) -> const core::Value* {
    auto it = message.params.find(name);
    return it == message.params.end() ? nullptr : &it->second;
  };
  auto wrong_type = [&](const Piece& p, const std::string& name, const core::Value& v, std::string_view wants) {
    return make_error("wrong_parameter_type", where() + ": " + p.source + " needs " + std::string(wants) +
                                                  ", but parameter " + quoted(name) + " is " +
                                                  std::string(type_name(v)));
  };

  std::string out;
  for (const Piece& p : text) {
    if (p.name.empty()) {
      out += p.literal;
      continue;
    }
    const core::Value* v = find(p.name);
    const core::Value* v2 = p.range_end.empty() ? nullptr : find(p.range_end);
    for (const auto& [name, value] : {std::pair{&p.name, v}, std::pair{&p.range_end, v2}}) {
      if (!name->empty() && !value) {
        return make_error("missing_parameter",
                          where() + " needs parameter " + quoted(*name) + ", which the message does not carry");
      }
    }
    switch (p.format) {
      case Format::plain:
        if (auto* s = std::get_if<std::string>(v)) {
          out += *s;
        } else if (auto* t = std::get_if<core::LocalizedText>(v)) {
          out += t->in(lang);
        } else if (auto* f = std::get_if<core::Fils>(v)) {
          out += format_money(*f, lang);
        } else if (auto* n = std::get_if<std::int64_t>(v)) {
          out += localize_digits(std::to_string(*n), lang);
        } else {
          return wrong_type(p, p.name, *v, "text, money or a number (a time takes :date or :time)");
        }
        break;
      case Format::date:
      case Format::time: {
        auto* from = std::get_if<core::Instant>(v);
        if (!from) return wrong_type(p, p.name, *v, "a time");
        bool date = p.format == Format::date;
        if (v2) {
          auto* to = std::get_if<core::Instant>(v2);
          if (!to) return wrong_type(p, p.range_end, *v2, "a time");
          out += date ? format_date_range(*from, *to, settings.utc_offset, lang)
                      : format_time_range(*from, *to, settings.utc_offset, lang);
        } else {
          out += date ? format_date(*from, settings.utc_offset, lang) : format_time(*from, settings.utc_offset, lang);
        }
        break;
      }
      case Format::num:
        if (auto* n = std::get_if<std::int64_t>(v)) {
          out += localize_digits(std::to_string(*n), lang);
        } else if (auto* s = std::get_if<std::string>(v); s && all_digits(*s)) {
          out += localize_digits(*s, lang);
        } else {
          return wrong_type(p, p.name, *v, "a number or a string of digits");
        }
        break;
    }
  }
  return core::fold_for_gsm7(out);
}

}  // namespace cg::templates
