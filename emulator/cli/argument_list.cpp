#include "emulator/cli/argument_list.hpp"

#include <charconv>
#include <cmath>

namespace emu::cli {
namespace {

core::Error usage(std::string message, std::string_view flag) {
  return core::Error::bad_request("InvalidArgument", std::move(message), std::string(flag));
}

const FlagSpec* find_flag(std::span<const FlagSpec> flags, std::string_view word) {
  for (const auto& flag : flags) {
    if (flag.name == word || (!flag.alias.empty() && flag.alias == word)) return &flag;
  }
  return nullptr;
}

bool looks_like_flag(std::string_view word) {
  // "-1" is a value (a negative number), "-g" and "--x" are flags.
  return word.size() >= 2 && word[0] == '-' && !(word[1] >= '0' && word[1] <= '9');
}

}  // namespace

core::Result<ArgumentList> ArgumentList::parse(std::span<const std::string_view> words,
                                               std::span<const FlagSpec> flags) {
  ArgumentList list;
  for (std::size_t i = 0; i < words.size(); ++i) {
    std::string_view word = words[i];
    std::optional<std::string_view> inline_value;
    if (word.starts_with("--")) {
      if (auto eq = word.find('='); eq != std::string_view::npos) {
        inline_value = word.substr(eq + 1);
        word = word.substr(0, eq);
      }
    }
    if (!looks_like_flag(word)) {
      return usage("unrecognized argument '" + std::string(word) + "': values follow a flag such as --name",
                   word);
    }
    const FlagSpec* flag = find_flag(flags, word);
    if (!flag)
      return usage("unrecognized argument '" + std::string(word) + "'; see --help for the flags", word);
    const std::string name(flag->name);
    if (flag->kind == FlagKind::kSwitch) {
      if (inline_value) return usage("argument " + name + " takes no value", name);
      list.given_.emplace_back(name, "");
      continue;
    }
    if (inline_value) {
      list.given_.emplace_back(name, std::string(*inline_value));
      continue;
    }
    if (i + 1 >= words.size() || looks_like_flag(words[i + 1])) {
      return usage("argument " + name + ": expected a value", name);
    }
    list.given_.emplace_back(name, std::string(words[++i]));
    if (flag->kind == FlagKind::kList) {
      while (i + 1 < words.size() && !looks_like_flag(words[i + 1]))
        list.given_.emplace_back(name, std::string(words[++i]));
    }
  }
  return list;
}

bool ArgumentList::has(std::string_view name) const {
  for (const auto& [key, value] : given_) {
    if (key == name) return true;
  }
  return false;
}

std::optional<std::string> ArgumentList::value(std::string_view name) const {
  std::optional<std::string> last;
  for (const auto& [key, value] : given_) {
    if (key == name) last = value;
  }
  return last;
}

std::vector<std::string> ArgumentList::values(std::string_view name) const {
  std::vector<std::string> all;
  for (const auto& [key, value] : given_) {
    if (key == name) all.push_back(value);
  }
  return all;
}

core::Result<std::string> ArgumentList::required(std::string_view name) const {
  auto v = value(name);
  if (!v || v->empty()) return usage("the following argument is required: " + std::string(name), name);
  return *v;
}

core::Result<std::optional<long long>> ArgumentList::integer(std::string_view name, long long min,
                                                             long long max) const {
  auto v = value(name);
  if (!v) return std::optional<long long>{};
  long long number = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), number);
  if (ec != std::errc{} || end != v->data() + v->size() || number < min || number > max) {
    return usage("argument " + std::string(name) + ": '" + *v + "' is not an integer from " +
                     std::to_string(min) + " to " + std::to_string(max),
                 name);
  }
  return std::optional<long long>{number};
}

core::Result<std::optional<double>> ArgumentList::seconds(std::string_view name) const {
  auto v = value(name);
  if (!v) return std::optional<double>{};
  double number = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), number);
  if (ec != std::errc{} || end != v->data() + v->size() || !std::isfinite(number) || number < 0 ||
      number > 86400) {
    return usage(
        "argument " + std::string(name) + ": '" + *v + "' is not a number of seconds from 0 to 86400", name);
  }
  return std::optional<double>{number};
}

std::string describe_flags(std::span<const FlagSpec> flags) {
  std::string text;
  for (const auto& flag : flags) {
    std::string left = "  " + std::string(flag.name);
    if (!flag.alias.empty()) left += " " + std::string(flag.alias);
    if (left.size() < 30)
      left.resize(30, ' ');
    else
      left += "  ";
    text += left + std::string(flag.help) + "\n";
  }
  return text;
}

}  // namespace emu::cli
