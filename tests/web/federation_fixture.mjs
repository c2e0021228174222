// A node that belongs to a federation, for the Members view of browser_test.mjs, made with the
// real binary's CLI only: `init`, `federation create`, `federation propose`, `publish`,
// `export` and `import`. No network: the other members' nodes never run, only their keys and
// one of their logs (as a bundle) are used.
//
// The federation: the hub and three founders (one with an Arabic name, one whose name is
// markup), founded with K = 1 so that the hub alone can apply changes; then
//   - "threshold 1" (does not fit: K is already 1; left pending, stale once #1 applies),
//   - #1 "add" a fourth member (applied at once),
//   - #2 "threshold 2" (applied at once),
//   - "add" one more, which now needs 2 approvals and has only the hub's: pending.
// The Arabic member's alert reaches the hub as a bundle, so the hub shows it by roster name.
import fs from 'node:fs';
import path from 'node:path';

export const FEDERATION_NAME = 'IFEX test federation';
export const HUB_NAME = 'Hub Press Centre';
export const ARABIC_NAME = 'جمعية الصحفيين المستقلين';
export const HOSTILE_NAME = '<img src=x onerror="window.__ifexFedXss=1"> Hostile NGO';
export const PLAIN_NAME = 'Media Rights Watch';
export const ADDED_NAME = 'Newcomer Press Union';
export const PENDING_NAME = 'Pending Press Club';
export const FINAL_THRESHOLD = 2;

const ARABIC_ALERT = {
  lang: 'ar',
  title: 'استدعاء صحفية للتحقيق بسبب مقال',
  summary: 'استدعت النيابة صحفية للتحقيق بعد نشرها مقالا عن البطالة.',
  body: 'أفرج عنها في المساء نفسه.',
  country: 'JO',
  categories: ['legal-harassment'],
};

// runCli(bin, args) -> stdout, throwing on a non-zero exit (browser_test.mjs's).
export function makeFederationNode(runCli, bin, dir) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const data = path.join(dir, 'hub');
  const keyOf = (d) => JSON.parse(runCli(bin, ['id', '--data', d, '--json'])).public_key;
  const member = (label) => {
    const d = path.join(dir, label);
    runCli(bin, ['init', '--data', d, '--name', label]);
    return { data: d, key: keyOf(d) };
  };
  runCli(bin, ['init', '--data', data, '--name', HUB_NAME, '--role', 'hub']);
  // Several browsers share 127.0.0.1 in the test: the per-address limit, meant for one remote
  // client, would refuse some of their connections.
  const config = path.join(data, 'ifexnode.toml');
  const toml = fs.readFileSync(config, 'utf8');
  if (!/max_connections_per_address = 8\n/.test(toml)) throw new Error('no per-address limit in ' + config);
  fs.writeFileSync(config, toml.replace('max_connections_per_address = 8\n',
                                        'max_connections_per_address = 64\n'));
  const arabic = member('arabic');
  const hostile = member('hostile');
  const plain = member('plain');
  const added = member('added');
  const pendingMember = member('pending');

  runCli(bin, ['federation', 'create', '--data', data, '--threshold', '1', '--name', FEDERATION_NAME,
    '--url', 'ws://127.0.0.1:9/gossip', '--out', path.join(dir, 'invitation.txt'),
    '--member', `${arabic.key}=${ARABIC_NAME}`, '--member', `${hostile.key}=${HOSTILE_NAME}`,
    '--member', `${plain.key}=${PLAIN_NAME}`]);
  const propose = (...args) => runCli(bin, ['federation', 'propose', ...args]).trim();
  const stale = propose('threshold', '--data', data, '1');
  const applied = [
    propose('add', '--data', data, added.key, '--name', ADDED_NAME),
    propose('threshold', '--data', data, String(FINAL_THRESHOLD)),
  ];
  const pending = propose('add', '--data', data, pendingMember.key, '--name', PENDING_NAME);

  const alertFile = path.join(dir, 'alert-arabic-member.json');
  fs.writeFileSync(alertFile, JSON.stringify(ARABIC_ALERT));
  const arabicAlert = runCli(bin, ['publish', '--data', arabic.data, '--file', alertFile]).trim();
  const bundle = path.join(dir, 'arabic-member.bundle');
  runCli(bin, ['export', '--data', arabic.data, '--out', bundle]);
  runCli(bin, ['import', '--data', data, bundle]);

  return {
    data,
    members: [HUB_NAME, ARABIC_NAME, HOSTILE_NAME, PLAIN_NAME, ADDED_NAME],
    threshold: FINAL_THRESHOLD,
    ids: { stale, applied, pending },
    arabicAlert,
    arabicAlertTitle: ARABIC_ALERT.title,
  };
}
