#include "emulator/server/argument_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace emu::server {

namespace {
constexpr std::string_view kProgram = "batchai-emulator";
constexpr std::string_view kErrorCode = "InvalidCommandLine";
}  // namespace

ArgumentReader::Word ArgumentReader::next() {
  const std::string_view text = args_[pos_++];
  current_ = Word{};
  current_.name = text;
  if (text.size() > 1 && text.front() == '-') {
    current_.is_flag = true;
    if (const auto eq = text.find('='); eq != std::string_view::npos) {
      current_.name = text.substr(0, eq);
      current_.inline_value = text.substr(eq + 1);
    }
  }
  return current_;
}

core::Result<std::string_view> ArgumentReader::value() {
  if (current_.inline_value) return *current_.inline_value;
  // A following flag means the value was forgotten; "--host --seed 3" must not take "--seed" as a host.
  if (done() || (args_[pos_].size() > 1 && args_[pos_].starts_with("--"))) {
    return error(fmt::format("{} needs a value{}", current_.name, help_hint()), std::string(current_.name));
  }
  return args_[pos_++];
}

core::Result<void> ArgumentReader::no_value() const {
  if (!current_.inline_value) return {};
  return error(
      fmt::format("{} takes no value (got '{}'){}", current_.name, *current_.inline_value, help_hint()),
      std::string(current_.name));
}

std::string ArgumentReader::help_hint() const {
  if (command_.empty()) return fmt::format("; run '{} --help' for usage", kProgram);
  return fmt::format("; run '{} {} --help' for usage", kProgram, command_);
}

core::Error ArgumentReader::error(std::string message, std::string target) const {
  return core::Error::bad_request(std::string(kErrorCode), std::move(message), std::move(target));
}

core::Error ArgumentReader::unknown_flag() const {
  const std::string where = command_.empty() ? std::string(kProgram) : std::string(command_);
  return error(fmt::format("unknown option '{}' for {}{}", current_.name, where, help_hint()),
               std::string(current_.name));
}

core::Error ArgumentReader::unexpected_argument() const {
  const std::string where = command_.empty() ? std::string(kProgram) : std::string(command_);
  return error(fmt::format("unexpected argument '{}' for {}{}", current_.name, where, help_hint()),
               std::string(current_.name));
}

core::Error ArgumentReader::bad_value(std::string_view value, std::string_view expected) const {
  return error(fmt::format("{}: '{}' is not {}{}", current_.name, value, expected, help_hint()),
               std::string(current_.name));
}

core::Result<std::uint64_t> ArgumentReader::unsigned_integer(std::string_view text, std::uint64_t max) const {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc{} || ptr != end || value > max) {
    return bad_value(text, fmt::format("a whole number from 0 to {}", max));
  }
  return value;
}

core::Result<std::uint16_t> ArgumentReader::port(std::string_view text) const {
  auto value = unsigned_integer(text, 65535);
  if (!value) return bad_value(text, "a port number from 0 to 65535 (0 picks a free port)");
  return static_cast<std::uint16_t>(*value);
}

core::Result<double> ArgumentReader::non_negative_number(std::string_view text) const {
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc{} || ptr != end || !std::isfinite(value) || value < 0) {
    return bad_value(text, "a number of 0 or more, e.g. 1, 60 or 0.5");
  }
  return value;
}

core::Result<std::uint64_t> ArgumentReader::byte_size(std::string_view text) const {
  std::string_view digits = text;
  unsigned shift = 0;
  const auto strip = [&](std::string_view suffix) {
    if (digits.size() > suffix.size() && std::equal(suffix.rbegin(), suffix.rend(), digits.rbegin(),
                                                    [](char a, char b) { return a == (b | 0x20); })) {
      digits.remove_suffix(suffix.size());
      return true;
    }
    return false;
  };
  if (!strip("ib")) strip("b");
  if (strip("k")) {
    shift = 10;
  } else if (strip("m")) {
    shift = 20;
  } else if (strip("g")) {
    shift = 30;
  }
  std::uint64_t value = 0;
  const char* end = digits.data() + digits.size();
  const auto [ptr, ec] = std::from_chars(digits.data(), end, value);
  if (digits.empty() || ec != std::errc{} || ptr != end || value == 0 ||
      value > (std::numeric_limits<std::uint64_t>::max() >> shift)) {
    return bad_value(text, "a size in bytes greater than 0, e.g. 1048576, 512K or 16M");
  }
  return value << shift;
}

core::Result<core::Duration> ArgumentReader::positive_duration(std::string_view text) const {
  const auto value = core::parse_duration(text);
  if (!value || value->count() <= 0) {
    return bad_value(text, "a duration greater than 0, e.g. 30 (seconds), 1.5 or PT2M");
  }
  return *value;
}

}  // namespace emu::server
