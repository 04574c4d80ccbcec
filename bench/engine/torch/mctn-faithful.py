#!/usr/bin/python3
"""`mctn-faithful`'s entry for bench/engine/run.mjs (one script per id): the transcription, serving both MCTN ids, is mctn.py."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mctn  # noqa: E402

if __name__ == '__main__':
    mctn.main()
