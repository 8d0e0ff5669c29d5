"""Run one page's snippets in order, in the current folder: ``python run_snippets.py blocks.json``.

bash blocks run in ``bash -eo pipefail``; python blocks run in this one interpreter, one shared
namespace, so a later block may use names from an earlier one on the same page. The first failure
prints where it was and exits 1.
"""

import json
import subprocess
import sys
import traceback

namespace = {"__name__": "__main__"}
for block in json.load(open(sys.argv[1], encoding="utf-8")):
    print(f"--- {block['where']} ({block['lang']})", flush=True)
    if block["lang"] == "bash":
        done = subprocess.run(["bash", "-eo", "pipefail", "-c", block["code"]])
        if done.returncode != 0:
            print(f"FAILED {block['where']}: bash exited {done.returncode}", flush=True)
            sys.exit(1)
    else:
        try:
            exec(compile(block["code"], block["where"], "exec"), namespace)
        except BaseException:
            traceback.print_exc()
            print(f"FAILED {block['where']}: python raised", flush=True)
            sys.exit(1)
