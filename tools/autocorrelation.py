#!/usr/bin/python3
"""Integrated autocorrelation time of the plaquette in `fpgauge generate` logs.

    tools/autocorrelation.py RUN_DIR/log.jsonl [...] [--skip N]

tau_int = 1/2 + sum_{t=1}^{W} rho(t), in updates (sweeps or trajectories), with Sokal's automatic
window: the smallest W with W >= 6 tau_int(W) (A. Sokal, "Monte Carlo methods in statistical
mechanics", Cargese lectures 1996, sec. 3). Error: Madras-Sokal, dtau^2 = 2(2W+1)/N tau^2.
The first N updates (--skip, default the thermalisation in the run's run.toml or 200) are dropped.
"""
import argparse
import json
import math
import pathlib

import numpy as np


def thermalisation(log: pathlib.Path) -> int:
    card = log.parent / "run.toml"
    if card.exists():
        for line in card.read_text().splitlines():
            key, _, value = line.partition("=")
            if key.strip() == "thermalisation":
                return int(value.split("#")[0])
    return 200


def tau_int(series: np.ndarray) -> tuple[float, float, int]:
    x = series - series.mean()
    n = len(x)
    spectrum = np.fft.rfft(x, 2 * n)
    gamma = np.fft.irfft(spectrum * np.conj(spectrum))[:n] / np.arange(n, 0, -1)
    rho = gamma / gamma[0]
    tau = 0.5
    for w in range(1, n // 2):
        tau += rho[w]
        if w >= 6 * tau:
            return tau, tau * math.sqrt(2 * (2 * w + 1) / n), w
    raise ValueError("no window found: series too short")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("logs", nargs="+", type=pathlib.Path)
    parser.add_argument("--skip", type=int, default=None)
    args = parser.parse_args()
    for log in args.logs:
        entries = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
        skip = args.skip if args.skip is not None else thermalisation(log)
        plaquette = np.array([e["plaquette"] for e in entries[skip:]])
        tau, error, window = tau_int(plaquette)
        print(f"{log}: {len(plaquette)} updates, <P> = {plaquette.mean():.6f}, "
              f"tau_int = {tau:.2f} +- {error:.2f} (window {window})")


if __name__ == "__main__":
    main()
