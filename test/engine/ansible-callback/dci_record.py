# A stdout callback for ansible-playbook that records every task result as JSON (for the engine's
# differential tests): one record per task and host with the task path (file:line), the status and the result
# without Ansible's private keys, plus the play recap. Written to $DCI_RECORD_FILE at the end of the run.
from __future__ import annotations

import json
import os

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = '''
    name: dci_record
    type: stdout
    short_description: record task results as JSON for differential tests
    description: records task results
'''


def clean(value):
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items() if not str(k).startswith('_ansible') and k != 'invocation'}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'stdout'
    CALLBACK_NAME = 'dci_record'

    def __init__(self):
        super().__init__()
        self.records = []
        self.play = None
        self.warnings = []

    def v2_playbook_on_play_start(self, play):
        self.play = play.get_name()

    def _record(self, result, status):
        task = result._task
        self.records.append({
            'play': self.play,
            'host': result._host.get_name(),
            'task': task.get_name(),
            'path': task.get_path(),
            'action': task.action,
            'status': status,
            'result': clean(result._result),
        })

    def v2_runner_on_ok(self, result):
        self._record(result, 'changed' if result._result.get('changed') else 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, 'ignored' if ignore_errors else 'failed')

    def v2_runner_on_skipped(self, result):
        self._record(result, 'skipped')

    def v2_runner_on_unreachable(self, result):
        self._record(result, 'unreachable')

    def v2_playbook_on_stats(self, stats):
        recap = {}
        for h in sorted(stats.processed.keys()):
            recap[h] = stats.summarize(h)
        out = {'records': self.records, 'stats': recap}
        path = os.environ.get('DCI_RECORD_FILE')
        if path:
            with open(path, 'w') as f:
                json.dump(out, f)
        else:
            print(json.dumps(out))
