#!/usr/bin/python3
"""Plots one instanton under several gradient flows (docs/instantons.md).

    tools/plot_instanton_flow.py OUT.png --volume V RUN [RUN ...]

RUN = DIR:LABEL:ENERGY (LABEL without colons), DIR a `fpgauge flow` output with measure.instanton_centre set, ENERGY one
of its measure.energy definitions (usually the flow action's own). Left: the fitted instanton
size rho(t) (column rho of DIR/flow_0000.csv); right: the action A(t)/(8 pi^2/6) = E V/(8 pi^2)
of the chosen definition (E = 6 A/V, SPEC section 1). Sizes are drawn only while |Q| >= 0.5: once
the instanton has fallen through the lattice the fit has nothing to fit.
"""
import argparse
import csv
import math
import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def read_history(directory: pathlib.Path):
    with open(directory / "flow_0000.csv", newline="") as f:
        lines = [line for line in f if not line.startswith("#")]
    rows = list(csv.DictReader(lines))
    if not rows or "rho" not in rows[0]:
        raise SystemExit(f"{directory}/flow_0000.csv: no column rho (set measure.instanton_centre)")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("png", type=pathlib.Path)
    parser.add_argument("--volume", type=float, required=True, help="lattice sites")
    parser.add_argument("runs", nargs="+", help="DIR:LABEL:ENERGY")
    args = parser.parse_args()
    fig, (size_axis, action_axis) = plt.subplots(1, 2, figsize=(10, 4))
    for run in args.runs:
        directory, label, energy = run.split(":", 2)  # the energy may be lcnn:MODEL
        rows = read_history(pathlib.Path(directory))
        column = f"E_{energy}"
        if column not in rows[0]:
            raise SystemExit(f"{directory}/flow_0000.csv: no column {column}")
        t = [float(r["t"]) for r in rows]
        alive = [abs(float(r["Q"])) >= 0.5 for r in rows]
        size_axis.plot([x for x, a in zip(t, alive) if a],
                       [float(r["rho"]) for r, a in zip(rows, alive) if a], marker=".", label=label)
        action = [float(r[column]) * args.volume / (8 * math.pi**2) for r in rows]
        action_axis.plot(t, action, marker=".", label=label)
    size_axis.set_xlabel("flow time t/a²")
    size_axis.set_ylabel("fitted instanton size ρ_q/a")
    action_axis.set_xlabel("flow time t/a²")
    action_axis.set_ylabel("A / (8π²/6)")
    action_axis.axhline(1.0, color="grey", lw=0.8)
    for axis in (size_axis, action_axis):
        axis.grid(alpha=0.3)
        axis.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(args.png, dpi=130)


if __name__ == "__main__":
    main()
