#!/usr/bin/env python3
"""Who owns the gateway's CPU samples in a JFR recording.

Each Java execution sample is charged to the first frame, from the top of the stack, that belongs to a component
(the HTTP/2 codec, Reactor, Jackson, the gateway's own packages, ...) rather than to plumbing shared by all of
them (java.*, Netty buffers, channels and utilities): a sample in ByteBuf.writeBytes called by the JSON writer
counts for the JSON writer. Also prints, per component, the share of samples with any of its frames on the stack
(an upper bound of what removing it could save), and the native samples of the event loops (syscalls, BoringSSL).

usage: benchmarks/tools/profile-owners.py recording.jfr [jfr executable]
"""
import collections
import json
import subprocess
import sys

COMPONENTS = [
    'reactor.netty', 'reactor.core', 'io.netty.handler.ssl', 'io.netty.handler.codec.http2',
    'io.netty.handler.codec.http', 'com.fasterxml', 'com.github.benmanes', 'io.github.resilience4j',
    'io.cakemail.gateway.core.mime', 'io.cakemail.gateway.core.submission', 'io.cakemail.gateway.core.api',
    'io.cakemail.gateway.smtp', 'io.cakemail.gateway.server', 'org.apache.logging',
]
PLUMBING = ['java.', 'jdk.', 'sun.', 'io.netty.']


def component(frame):
    name = frame['method']['type']['name'].replace('/', '.')
    for prefix in COMPONENTS:
        if name.startswith(prefix):
            return prefix
    for prefix in PLUMBING:
        if name.startswith(prefix):
            return None
    return name.rsplit('.', 1)[0]


def plumbing(frame):
    name = frame['method']['type']['name'].replace('/', '.')
    return 'plumbing: ' + '.'.join(name.split('.')[:3])


def events(recording, jfr, kind):
    out = subprocess.run([jfr, 'print', '--json', '--stack-depth', '1000', '--events', kind, recording], check=True, capture_output=True)
    return json.loads(out.stdout)['recording']['events']


def main():
    recording = sys.argv[1]
    jfr = sys.argv[2] if len(sys.argv) > 2 else 'jfr'
    samples = [e['values']['stackTrace']['frames'] for e in events(recording, jfr, 'jdk.ExecutionSample')]
    samples = [frames for frames in samples if frames]
    owners = collections.Counter()
    anywhere = collections.Counter()
    for frames in samples:
        found = [component(f) for f in frames]
        owners[next((c for c in found if c), plumbing(frames[-1]))] += 1
        for c in set(found) - {None}:
            anywhere[c] += 1
    total = len(samples)
    print(f'{total} Java samples; owner (first component from the top), and share with the component anywhere')
    for name, count in owners.most_common(20):
        print(f'  {name:44s} {100 * count / total:5.1f} %   anywhere {100 * anywhere.get(name, 0) / total:5.1f} %')
    native = collections.Counter()
    for event in events(recording, jfr, 'jdk.NativeMethodSample'):
        frames = event['values']['stackTrace']['frames']
        if frames and 'multiThreadIo' in event['values'].get('sampledThread', {}).get('javaName', ''):
            native[frames[0]['method']['type']['name'].split('/')[-1] + '.' + frames[0]['method']['name']] += 1
    print('event loops in native code (epollWait0 is idle time)')
    for name, count in native.most_common(8):
        print(f'  {name:44s} {count}')


if __name__ == '__main__':
    main()
