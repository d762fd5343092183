#pragma once
// ArgumentReader: walks a subcommand's words for the hand-written parsers, accepting "--flag value"
// and "--flag=value", and builds their one-line errors (which name the flag and the help command).
//   ArgumentReader reader("serve", args);
//   while (!reader.done()) { auto word = reader.next(); if (word.name == "--seed") auto v = reader.value(); }

#include "emulator/core/error.hpp"
#include "emulator/core/result.hpp"
#include "emulator/core/time.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace emu::server {

class ArgumentReader {
 public:
  struct Word {
    bool is_flag = false;                          // starts with "-" (and is not "-" alone)
    std::string_view name;                         // "--seed" for "--seed=3"; the whole word for positionals
    std::optional<std::string_view> inline_value;  // "3" for "--seed=3"
  };

  ArgumentReader(std::string_view command, std::span<const std::string_view> args)
      : command_(command), args_(args) {}

  bool done() const { return pos_ >= args_.size(); }
  Word next();

  // The value of the flag just read: its "=value" part, else the following word.
  core::Result<std::string_view> value();
  // For switches like --in-memory, which take no value.
  core::Result<void> no_value() const;

  core::Error unknown_flag() const;
  core::Error unexpected_argument() const;
  // "--https-port: 'abc' is not <expected>; ..."; `expected` says what a good value looks like.
  core::Error bad_value(std::string_view value, std::string_view expected) const;
  core::Error error(std::string message, std::string target = {}) const;
  // "; run 'batchai-emulator serve --help' for usage", to end a message with.
  std::string help_hint() const;

  // Value parsers; each returns the bad_value error for the current flag.
  core::Result<std::uint16_t> port(std::string_view text) const;
  core::Result<std::uint64_t> unsigned_integer(std::string_view text, std::uint64_t max) const;
  core::Result<double> non_negative_number(std::string_view text) const;
  // Bytes, with an optional binary suffix: 1048576, 512K, 16M, 1G (KiB/MiB/GiB also accepted).
  core::Result<std::uint64_t> byte_size(std::string_view text) const;
  // Anything core::parse_duration takes (PT30S, 90, 1.5), strictly positive.
  core::Result<core::Duration> positive_duration(std::string_view text) const;

 private:
  std::string_view command_;
  std::span<const std::string_view> args_;
  std::size_t pos_ = 0;
  Word current_;
};

}  // namespace emu::server
