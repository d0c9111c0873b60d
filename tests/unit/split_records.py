#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Split a recorded event stream after its first N records:
    split_records.py EVENTS.BIN N FIRST.BIN REST.BIN
"""
import struct
import sys

data = open(sys.argv[1], 'rb').read()
off = 0
for _ in range(int(sys.argv[2])):
    off += struct.unpack_from('<I', data, off)[0]
open(sys.argv[3], 'wb').write(data[:off])
open(sys.argv[4], 'wb').write(data[off:])
