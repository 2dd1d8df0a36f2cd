#include <iostream>

#include "cli/commands.h"
#include "host/capsule/capsule_file.h"
#include "host/common/error.h"
#include "host/signing/capsule_signing.h"
#include "host/signing/capsule_verify.h"
#include "host/store/capsule_store.h"

namespace locus::cli {

namespace {
struct VerifyArgs {
  std::string capsule;
  std::vector<std::string> keys;
  bool json = false;
  bool require_signature = false;
  bool skip_self_test = false;
};
}  // namespace

void register_verify(CLI::App& app) {
  auto args = std::make_shared<VerifyArgs>();
  CLI::App* cmd = app.add_subcommand(
      "verify",
      "Verify a capsule check by check: structure (the runtime's reader, and no byte outside\n"
      "the body changed), digest (SHA-256 of the body), signature (Ed25519 over the digest)\n"
      "and self-test (the embedded test vector runs and matches). Without --key the signer\n"
      "is looked up by key id among your public keys; an unsigned capsule passes as\n"
      "'unsigned' unless --key or --require-signature is given. Exits with 1 and names the\n"
      "failed check when any check fails.");
  cmd->add_option("capsule", args->capsule,
                  "A .capsule file, or a store reference (NAME:TAG, NAME or digest prefix)")
      ->required();
  cmd->add_option("-k,--key", args->keys,
                  "Public key to verify with: a key name or a .pub file (repeatable; the\n"
                  "capsule must be signed by one of them)");
  cmd->add_flag("--require-signature", args->require_signature,
                "Fail an unsigned capsule even without --key");
  cmd->add_flag("--no-self-test", args->skip_self_test, "Do not run the embedded self-test");
  cmd->add_flag("--json", args->json, "Print the report as JSON");
  cmd->callback([args] {
    const host::CapsuleSource source = host::load_capsule_source(args->capsule);
    host::VerifyOptions options;
    for (const std::string& k : args->keys) options.keys.push_back(host::load_public_key(k));
    options.require_signature = args->require_signature;
    options.run_self_test = !args->skip_self_test;
    const host::VerifyReport report = host::verify_capsule(source.bytes, options, source.origin);
    if (args->json) {
      std::cout << report.to_json().dump(2) << "\n";
    } else {
      std::cout << report.render();
    }
    if (!report.ok()) throw host::Error(report.error_message());
  });
}

}  // namespace locus::cli

namespace locus::cli {

void register_sign(CLI::App& app) {
  auto capsule = std::make_shared<std::string>();
  auto key = std::make_shared<std::string>();
  auto output = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "sign",
      "Sign a capsule file with your secret key: checks its structure and digest, then\n"
      "writes the same body with an Ed25519 signature over the body digest and the key id.\n"
      "An existing signature is replaced.");
  cmd->add_option("capsule", *capsule, "The .capsule file")->required()->check(CLI::ExistingFile);
  cmd->add_option("-k,--key", *key, "Secret key: a key name or a .key file")->required();
  cmd->add_option("-o,--output", *output, "Where to write the signed capsule (default: in place)");
  cmd->callback([capsule, key, output] {
    const host::AlignedBuffer bytes = host::read_file(*capsule);
    const std::vector<uint8_t> signed_bytes = host::sign_capsule_with(*key, bytes.span());
    const std::string out = output->empty() ? *capsule : *output;
    host::write_file_atomic(out, signed_bytes);
    std::cout << "signed " << out << " with key " << *key << "\n";
  });
}

}  // namespace locus::cli
