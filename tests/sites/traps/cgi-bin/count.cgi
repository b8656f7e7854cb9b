#!/bin/sh
echo "must never be requested"
