#include "emulator/core/time.hpp"

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <limits>

namespace emu::core {
namespace {

using std::chrono::days;
using std::chrono::sys_days;

__extension__ using Int128 = __int128;

constexpr std::int64_t kNanosPerSecond = 1'000'000'000;
constexpr std::int64_t kNanosPerMinute = 60 * kNanosPerSecond;
constexpr std::int64_t kNanosPerHour = 60 * kNanosPerMinute;
constexpr std::int64_t kNanosPerDay = 24 * kNanosPerHour;
constexpr std::int64_t kNanosPerWeek = 7 * kNanosPerDay;
// .NET's XmlConvert.ToTimeSpan, which the real service used, counts a year as 365 days and a month
// as 30; durations have no calendar to anchor them, so we do the same.
constexpr std::int64_t kNanosPerMonth = 30 * kNanosPerDay;
constexpr std::int64_t kNanosPerYear = 365 * kNanosPerDay;

// Enough fraction digits to be exact to the nanosecond for any unit up to a year; the rest are
// below one nanosecond and are truncated.
constexpr std::size_t kMaxFractionDigits = 18;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A cursor over the text that every parser below shares; `fail` is sticky so the parsers can read
// straight through and check once.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}

  bool done() const { return pos_ == text_.size(); }
  char peek() const { return done() ? '\0' : text_[pos_]; }
  bool take(char c) {
    if (peek() != c || done()) return false;
    ++pos_;
    return true;
  }
  // Exactly `n` digits.
  std::optional<int> fixed_digits(std::size_t n) {
    if (text_.size() - pos_ < n) return std::nullopt;
    int value = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const char c = text_[pos_ + i];
      if (!is_digit(c)) return std::nullopt;
      value = value * 10 + (c - '0');
    }
    pos_ += n;
    return value;
  }
  // One or more digits as an unsigned integer; nullopt on none or on overflow.
  std::optional<std::uint64_t> integer() {
    const std::size_t start = pos_;
    std::uint64_t value = 0;
    while (!done() && is_digit(text_[pos_])) {
      const auto digit = static_cast<std::uint64_t>(text_[pos_] - '0');
      if (__builtin_mul_overflow(value, 10u, &value) || __builtin_add_overflow(value, digit, &value)) {
        return std::nullopt;
      }
      ++pos_;
    }
    if (pos_ == start) return std::nullopt;
    return value;
  }
  // One or more digits after a decimal separator, kept as text.
  std::optional<std::string_view> fraction_digits() {
    const std::size_t start = pos_;
    while (!done() && is_digit(text_[pos_])) ++pos_;
    if (pos_ == start) return std::nullopt;
    return text_.substr(start, pos_ - start);
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

// floor(unit * 0.<digits>) in nanoseconds, exact for the first kMaxFractionDigits digits.
std::int64_t fraction_of(std::int64_t unit_nanos, std::string_view digits) {
  if (digits.size() > kMaxFractionDigits) digits = digits.substr(0, kMaxFractionDigits);
  Int128 numerator = 0;
  Int128 denominator = 1;
  for (const char c : digits) {
    numerator = numerator * 10 + (c - '0');
    denominator *= 10;
  }
  return static_cast<std::int64_t>(numerator * unit_nanos / denominator);
}

// whole * unit + fraction, as non-negative int64 nanoseconds; nullopt on overflow.
std::optional<std::int64_t> scale(std::uint64_t whole, std::int64_t unit_nanos, std::string_view fraction) {
  if (whole > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
  std::int64_t nanos = 0;
  if (__builtin_mul_overflow(static_cast<std::int64_t>(whole), unit_nanos, &nanos)) return std::nullopt;
  if (__builtin_add_overflow(nanos, fraction_of(unit_nanos, fraction), &nanos)) return std::nullopt;
  return nanos;
}

std::optional<Duration> add(std::optional<Duration> total, std::optional<std::int64_t> nanos) {
  if (!total || !nanos) return std::nullopt;
  std::int64_t sum = 0;
  if (__builtin_add_overflow(total->count(), *nanos, &sum)) return std::nullopt;
  return Duration(sum);
}

// P[nY][nM][nW][nD][T[nH][nM][nS]]; a fraction is allowed on the last component only.
std::optional<Duration> parse_iso_duration(std::string_view text) {
  Cursor in(text);
  if (!in.take('P')) return std::nullopt;
  struct Unit {
    char designator;
    std::int64_t nanos;
    bool time_part;
  };
  static constexpr std::array<Unit, 7> kUnits{{{'Y', kNanosPerYear, false},
                                               {'M', kNanosPerMonth, false},
                                               {'W', kNanosPerWeek, false},
                                               {'D', kNanosPerDay, false},
                                               {'H', kNanosPerHour, true},
                                               {'M', kNanosPerMinute, true},
                                               {'S', kNanosPerSecond, true}}};
  std::optional<Duration> total = Duration::zero();
  std::size_t next_unit = 0;  // units must appear in order, each at most once
  bool in_time_part = false;
  bool any_component = false;
  bool time_has_component = false;
  bool saw_fraction = false;
  while (!in.done()) {
    if (in.take('T')) {
      if (in_time_part) return std::nullopt;
      in_time_part = true;
      next_unit = 4;
      continue;
    }
    if (saw_fraction) return std::nullopt;  // a fraction must end the duration
    const auto whole = in.integer();
    if (!whole) return std::nullopt;
    std::string_view fraction;
    if (in.take('.') || in.take(',')) {
      const auto digits = in.fraction_digits();
      if (!digits) return std::nullopt;
      fraction = *digits;
      saw_fraction = true;
    }
    const char designator = in.peek();
    std::size_t unit = next_unit;
    while (unit < kUnits.size() &&
           (kUnits[unit].designator != designator || kUnits[unit].time_part != in_time_part)) {
      ++unit;
    }
    if (unit == kUnits.size()) return std::nullopt;
    in.take(designator);
    total = add(total, scale(*whole, kUnits[unit].nanos, fraction));
    if (!total) return std::nullopt;
    next_unit = unit + 1;
    any_component = true;
    if (in_time_part) time_has_component = true;
  }
  if (!any_component || (in_time_part && !time_has_component)) return std::nullopt;
  return total;
}

// [d.]hh:mm[:ss[.fffffff]], the form .NET's TimeSpan writes (7.00:00:00).
std::optional<Duration> parse_dotnet_duration(std::string_view text) {
  Cursor in(text);
  auto first = in.integer();
  if (!first) return std::nullopt;
  std::uint64_t day_count = 0;
  std::uint64_t hours = *first;
  if (in.take('.')) {
    day_count = *first;
    const auto h = in.integer();
    if (!h) return std::nullopt;
    hours = *h;
  }
  if (!in.take(':')) return std::nullopt;
  const auto minutes = in.integer();
  if (!minutes) return std::nullopt;
  std::uint64_t seconds = 0;
  std::string_view fraction;
  if (in.take(':')) {
    const auto s = in.integer();
    if (!s) return std::nullopt;
    seconds = *s;
    if (in.take('.')) {
      const auto digits = in.fraction_digits();
      if (!digits) return std::nullopt;
      fraction = *digits;
    }
  }
  if (!in.done() || hours > 23 || *minutes > 59 || seconds > 59) return std::nullopt;
  std::optional<Duration> total = Duration::zero();
  total = add(total, scale(day_count, kNanosPerDay, {}));
  total = add(total, scale(hours, kNanosPerHour, {}));
  total = add(total, scale(*minutes, kNanosPerMinute, {}));
  total = add(total, scale(seconds, kNanosPerSecond, fraction));
  return total;
}

// "90" or "1.5": seconds.
std::optional<Duration> parse_plain_seconds(std::string_view text) {
  Cursor in(text);
  const auto whole = in.integer();
  if (!whole) return std::nullopt;
  std::string_view fraction;
  if (in.take('.')) {
    const auto digits = in.fraction_digits();
    if (!digits) return std::nullopt;
    fraction = *digits;
  }
  if (!in.done()) return std::nullopt;
  const auto nanos = scale(*whole, kNanosPerSecond, fraction);
  if (!nanos) return std::nullopt;
  return Duration(*nanos);
}

// Nanoseconds of a fraction of a second, ".909" -> 909000000; digits past the ninth are truncated.
std::int64_t fraction_nanos(std::string_view digits) { return fraction_of(kNanosPerSecond, digits); }

}  // namespace

void append_timestamp(std::string& out, Time t) {
  const auto day = std::chrono::floor<days>(t);
  const std::chrono::year_month_day date{day};
  const std::chrono::hh_mm_ss clock{std::chrono::floor<std::chrono::milliseconds>(t - day)};
  // Fixed-width fields written digit by digit: this runs for every journal record.
  char text[] = "0000-00-00T00:00:00.000Z";
  const auto put = [&text](std::size_t at, std::size_t width, long long value) {
    for (std::size_t i = width; i > 0; --i) {
      text[at + i - 1] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
  };
  // Years outside 0..9999 need more than four digits; int64 nanoseconds stay in 1677..2262.
  put(0, 4, static_cast<int>(date.year()));
  put(5, 2, static_cast<unsigned>(date.month()));
  put(8, 2, static_cast<unsigned>(date.day()));
  put(11, 2, clock.hours().count());
  put(14, 2, clock.minutes().count());
  put(17, 2, clock.seconds().count());
  put(20, 3, clock.subseconds().count());
  out.append(text, sizeof text - 1);
}

std::string format_timestamp(Time t) {
  std::string out;
  append_timestamp(out, t);
  return out;
}

std::optional<Time> parse_timestamp(std::string_view text) {
  Cursor in(text);
  const auto year = in.fixed_digits(4);
  if (!year || !in.take('-')) return std::nullopt;
  const auto month = in.fixed_digits(2);
  if (!month || !in.take('-')) return std::nullopt;
  const auto day_of_month = in.fixed_digits(2);
  if (!day_of_month || !(in.take('T') || in.take('t'))) return std::nullopt;
  const auto hour = in.fixed_digits(2);
  if (!hour || !in.take(':')) return std::nullopt;
  const auto minute = in.fixed_digits(2);
  if (!minute || !in.take(':')) return std::nullopt;
  const auto second = in.fixed_digits(2);
  if (!second) return std::nullopt;
  std::int64_t sub_second = 0;
  if (in.take('.')) {
    const auto digits = in.fraction_digits();
    if (!digits) return std::nullopt;
    sub_second = fraction_nanos(*digits);
  }
  // Z, or an offset +hh:mm / -hh:mm (the real service wrote +00:00 in a few places).
  std::int64_t offset_minutes = 0;
  if (!(in.take('Z') || in.take('z'))) {
    const bool negative = in.peek() == '-';
    if (!(in.take('+') || in.take('-'))) return std::nullopt;
    const auto offset_hours = in.fixed_digits(2);
    if (!offset_hours) return std::nullopt;
    in.take(':');
    const auto offset_mins = in.fixed_digits(2);
    if (!offset_mins || *offset_hours > 23 || *offset_mins > 59) return std::nullopt;
    offset_minutes = (*offset_hours * 60 + *offset_mins) * (negative ? -1 : 1);
  }
  if (!in.done()) return std::nullopt;
  if (*hour > 23 || *minute > 59 || *second > 59) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year{*year},
                                         std::chrono::month{static_cast<unsigned>(*month)},
                                         std::chrono::day{static_cast<unsigned>(*day_of_month)}};
  if (!date.ok()) return std::nullopt;
  // Days since the epoch fit easily in int64; nanoseconds only cover 1677..2262, so check.
  const std::int64_t day_count = sys_days{date}.time_since_epoch().count();
  const std::int64_t seconds_in_day = *hour * 3600LL + *minute * 60LL + *second - offset_minutes * 60;
  std::int64_t nanos = 0;
  if (__builtin_mul_overflow(day_count, kNanosPerDay, &nanos) ||
      __builtin_add_overflow(nanos, seconds_in_day * kNanosPerSecond, &nanos) ||
      __builtin_add_overflow(nanos, sub_second, &nanos)) {
    return std::nullopt;
  }
  return Time{Duration{nanos}};
}

std::optional<Duration> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  if (text.front() == 'P') return parse_iso_duration(text);
  if (text.find(':') != std::string_view::npos) return parse_dotnet_duration(text);
  return parse_plain_seconds(text);
}

std::string format_duration(Duration d) {
  std::string out;
  std::int64_t nanos = d.count();
  // The most negative value has no positive counterpart; it is far outside anything the API sees.
  if (nanos == std::numeric_limits<std::int64_t>::min()) nanos += 1;
  if (nanos < 0) {
    out += '-';
    nanos = -nanos;
  }
  out += 'P';
  const std::int64_t day_count = nanos / kNanosPerDay;
  nanos %= kNanosPerDay;
  const std::int64_t hours = nanos / kNanosPerHour;
  nanos %= kNanosPerHour;
  const std::int64_t minutes = nanos / kNanosPerMinute;
  nanos %= kNanosPerMinute;
  const std::int64_t seconds = nanos / kNanosPerSecond;
  const std::int64_t sub_second = nanos % kNanosPerSecond;

  if (day_count > 0) out += fmt::format("{}D", day_count);
  if (hours == 0 && minutes == 0 && seconds == 0 && sub_second == 0) {
    if (day_count == 0) out += "T0S";
    return out;
  }
  out += 'T';
  if (hours > 0) out += fmt::format("{}H", hours);
  if (minutes > 0) out += fmt::format("{}M", minutes);
  if (seconds > 0 || sub_second > 0) {
    out += fmt::format("{}", seconds);
    if (sub_second > 0) {
      std::string digits = fmt::format("{:09d}", sub_second);
      while (digits.back() == '0') digits.pop_back();
      out += '.';
      out += digits;
    }
    out += 'S';
  }
  return out;
}

}  // namespace emu::core
