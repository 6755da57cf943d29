import { UsageError } from '@chainloop-ts/core';
import type { Command } from 'commander';
import { outputFormat } from '../context';
import { log, printJson, printLine, renderKeyValueTable } from '../output';

const KDF_N_VALUES = ['32768', '65536', '131072'];

interface KeysGenerateFlags {
  outputPrefix: string;
  kdfN: string;
  force?: boolean;
  allowEmptyPassword?: boolean;
}

// keys generate [--output-prefix cosign] [--kdf-n N] [--force] [--allow-empty-password].
export function registerKeysCommands(program: Command): void {
  const keys = program.command('keys').description('manage cosign signing keys');
  keys
    .command('generate')
    .description(
      'create a cosign key pair: <prefix>.key (encrypted, mode 0600) and <prefix>.pub; password from CHAINLOOP_SIGNING_PASSWORD, a prompt, or stdin (an empty one, even CHAINLOOP_SIGNING_PASSWORD="", needs --allow-empty-password)',
    )
    .option('--output-prefix <prefix>', 'path prefix of the two files', 'cosign')
    .option('--kdf-n <n>', 'scrypt work factor: 65536 (cosign >= 2.2), 32768 (older cosign) or 131072', '65536')
    .option('--force', 'overwrite existing key files')
    .option('--allow-empty-password', 'write the key with an empty password when none is set, or the one set is empty')
    .action(async (flags: KeysGenerateFlags, command: Command) => {
      const format = outputFormat(command);
      if (!KDF_N_VALUES.includes(flags.kdfN)) {
        throw new UsageError('KDF_N_INVALID', `--kdf-n ${flags.kdfN} is not supported: use 32768, 65536 or 131072`);
      }
      const { checkKeyPairTargets, generateKeyPair, resolveNewKeyPassword, writeKeyPairFiles } = await import(
        '@chainloop-ts/core/attestation'
      );
      const force = flags.force === true;
      const { privateKeyPath } = await checkKeyPairTargets(flags.outputPrefix, { force });
      const password = await resolveNewKeyPassword(privateKeyPath, { allowEmpty: flags.allowEmptyPassword === true });
      const pair = await generateKeyPair({ password, kdfN: Number(flags.kdfN) as 32768 | 65536 | 131072 });
      const paths = await writeKeyPairFiles(flags.outputPrefix, pair, { force });
      log.info(`private key written to ${paths.privateKeyPath}, public key to ${paths.publicKeyPath}`);
      if (format === 'json') printJson(paths);
      else {
        printLine(
          renderKeyValueTable([
            ['Private key', paths.privateKeyPath],
            ['Public key', paths.publicKeyPath],
          ]),
        );
      }
    });

  keys
    .command('public-key')
    .description('unlock a cosign private key and print its public key (checks the key file and the password)')
    .requiredOption(
      '--key <ref>',
      'cosign private key: file path or env://VAR (password: CHAINLOOP_SIGNING_PASSWORD, where "" means an empty one; else a terminal prompt; else stdin)',
    )
    .action(async (flags: { key: string }, command: Command) => {
      const format = outputFormat(command);
      const { loadSigningKey } = await import('@chainloop-ts/core/attestation');
      const signer = await loadSigningKey(flags.key);
      if (format === 'json') printJson({ publicKey: signer.publicKeyPem, hint: signer.keyHint });
      else printLine(signer.publicKeyPem.trimEnd());
    });
}
