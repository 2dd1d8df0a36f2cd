#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "host/signing/keys.h"

namespace locus::cli {

void register_keys(CLI::App& app) {
  CLI::App* keys = app.add_subcommand(
      "keys",
      "Manage Ed25519 signing keys. Keys live in the Locus data directory ($LOCUS_HOME, else\n"
      "$XDG_DATA_HOME/locus, else ~/.local/share/locus) under keys/NAME.key (secret, mode\n"
      "0600) and keys/NAME.pub. A key is known by its name and its key id (16 hex digits of\n"
      "the SHA-256 of the public key), which signed capsules carry.");
  keys->require_subcommand(1);

  auto name = std::make_shared<std::string>();
  CLI::App* generate = keys->add_subcommand(
      "generate", "Create a new key pair NAME (refuses to overwrite an existing key).");
  generate->add_option("name", *name, "Key name: letters, digits, '.', '_' and '-'")->required();
  generate->callback([name] {
    const host::KeyInfo info = host::generate_key(*name);
    std::cout << "generated key " << info.name << " (id " << info.key_id << ")\n"
              << "  secret: " << info.secret_path.string() << "\n"
              << "  public: " << info.public_path.string() << "\n";
  });

  auto json = std::make_shared<bool>(false);
  CLI::App* list = keys->add_subcommand("list", "List the keys in the data directory.");
  list->add_flag("--json", *json, "Print JSON instead of text");
  list->callback([json] {
    const std::vector<host::KeyInfo> infos = host::list_keys();
    if (*json) {
      nlohmann::json rows = nlohmann::json::array();
      for (const host::KeyInfo& k : infos) {
        auto path_or_null = [](const std::filesystem::path& p) {
          return p.empty() ? nlohmann::json(nullptr) : nlohmann::json(p.string());
        };
        rows.push_back({{"name", k.name},
                        {"key_id", k.key_id},
                        {"public", path_or_null(k.public_path)},
                        {"secret", path_or_null(k.secret_path)}});
      }
      std::cout << rows.dump(2) << "\n";
      return;
    }
    if (infos.empty()) {
      std::cout << "no keys in " << host::keys_dir().string()
                << " (create one with 'locus keys generate NAME')\n";
      return;
    }
    for (const host::KeyInfo& k : infos) {
      std::cout << k.key_id << "  " << k.name
                << (k.secret_path.empty() ? "  (public key only)" : "") << "\n";
    }
  });

  auto export_name = std::make_shared<std::string>();
  auto output = std::make_shared<std::string>();
  CLI::App* exp = keys->add_subcommand(
      "export",
      "Write the public key of NAME to a file, to give to whoever verifies your capsules\n"
      "(they pass it to 'locus verify --key FILE' or copy it into their keys/ directory).");
  exp->add_option("name", *export_name, "Key name (or path of a key file)")->required();
  exp->add_option("-o,--output", *output, "Public key file to write")->required();
  exp->callback([export_name, output] {
    host::export_public_key(*export_name, *output);
    std::cout << "wrote public key " << *export_name << " to " << *output << "\n";
  });
}

}  // namespace locus::cli
