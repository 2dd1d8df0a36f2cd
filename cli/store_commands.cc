#include <iostream>

#include "cli/commands.h"
#include "host/store/capsule_store.h"

namespace locus::cli {

namespace {

void register_ls(CLI::App& app) {
  auto json = std::make_shared<bool>(false);
  auto repair = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand(
      "ls",
      "List the capsules in the local store (<data dir>/capsules): name, tag, digest,\n"
      "size, creation time and the id of the key that signed it. Capsules no tag refers to\n"
      "any more are shown as <none>.");
  cmd->add_flag("--json", *json, "Print JSON instead of a table");
  cmd->add_flag("--repair-index", *repair,
                "Rebuild a damaged index from the capsule files (moves the old index aside;\n"
                "each capsule is tagged NAME:VERSION from its identity)");
  cmd->callback([json, repair] {
    host::CapsuleStore store;
    if (*repair) {
      const host::StoreRepairResult r = store.repair_index();
      std::cerr << "rebuilt " << store.index_path().string() << " from " << r.capsules
                << " capsule file(s)";
      if (!r.moved_index.empty()) std::cerr << "; old index kept as " << r.moved_index.string();
      std::cerr << "\n";
      for (const std::string& s : r.skipped) std::cerr << "  skipped " << s << "\n";
    }
    const std::vector<host::StoreEntry> entries = store.list();
    if (*json) {
      std::cout << host::store_list_json(entries).dump(2) << "\n";
    } else {
      std::cout << host::render_store_list(entries);
    }
  });
}

void register_tag(CLI::App& app) {
  auto source = std::make_shared<std::string>();
  auto target = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "tag",
      "Give a capsule another NAME:TAG. SOURCE is a store reference (NAME:TAG, NAME or a\n"
      "digest prefix of at least 8 hex digits), or a .capsule file, which is verified and\n"
      "added to the store. An existing tag moves to the new capsule.");
  cmd->add_option("source", *source, "Store reference or .capsule file")->required();
  cmd->add_option("target", *target, "New reference NAME:TAG")->required();
  cmd->callback([source, target] {
    host::CapsuleStore store;
    std::error_code ec;
    std::string digest;
    if (std::filesystem::is_regular_file(*source, ec)) {
      const host::CapsuleSource file = host::load_capsule_source(*source);
      digest = store.add(file.bytes, *target).digest;
    } else {
      digest = store.tag(*source, *target);
    }
    std::cout << *target << " -> sha256:" << digest << "\n";
  });
}

void register_rm(CLI::App& app) {
  auto ref = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "rm",
      "Remove the tag NAME:TAG from the local store; the capsule file is deleted when no\n"
      "tag refers to it any more. A digest prefix removes an untagged capsule.");
  cmd->add_option("ref", *ref, "NAME:TAG (or the digest of an untagged capsule)")->required();
  cmd->callback([ref] {
    host::CapsuleStore store;
    const host::StoreRemoveResult r = store.remove(*ref);
    std::cout << "removed " << *ref;
    if (r.file_deleted) std::cout << " (deleted capsule sha256:" << r.digest.substr(0, 12) << ")";
    std::cout << "\n";
  });
}

}  // namespace

void register_store_commands(CLI::App& app) {
  register_ls(app);
  register_tag(app);
  register_rm(app);
}

}  // namespace locus::cli
