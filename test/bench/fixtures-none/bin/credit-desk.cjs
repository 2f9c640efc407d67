#!/usr/bin/env node
// older launcher
