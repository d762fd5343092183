#include "emulator/server/application_factory.hpp"

#include <stdexcept>

#include "emulator/server/emulator_application.hpp"
#include "emulator/server/settings_file.hpp"

namespace emu::server {

std::unique_ptr<Application> make_application(const ServeOptions& options, boost::asio::io_context& io) {
  EmulatorSettings settings;
  if (options.config_file) {
    auto loaded = load_settings_file(*options.config_file);
    if (!loaded) throw std::runtime_error(loaded.error().message);
    settings = std::move(*loaded);
  }
  auto app = EmulatorApplication::create(options, settings, io);
  if (!app) throw std::runtime_error(app.error().message);
  return std::move(*app);
}

}  // namespace emu::server
