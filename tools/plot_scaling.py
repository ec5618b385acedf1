#!/usr/bin/python3
"""Plot of a `fpgauge scaling` analysis (DIR/scaling.json): left, sqrt(t0)/w0 against a^2/t0 for
every series with its linear continuum extrapolation and the joint continuum value; right, the
discretisation effect of every ensemble, its deviation from the joint continuum value.

    /usr/bin/python3 tools/plot_scaling.py DIR      -> DIR/scaling.png
"""
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def main(directory: Path) -> None:
    result = json.loads((directory / "scaling.json").read_text())
    ensembles = result["ensembles"]
    series = list(dict.fromkeys(e["series"] for e in ensembles))
    joint = result["joint_fit"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    x_max = max(e["a2_over_t0"]["value"] for e in ensembles) * 1.08
    for index, name in enumerate(series):
        colour = f"C{index}"
        members = [e for e in ensembles if e["series"] == name]
        x = np.array([e["a2_over_t0"]["value"] for e in members])
        dx = np.array([e["a2_over_t0"]["error"] for e in members])
        y = np.array([e["sqrt_t0_over_w0"]["value"] for e in members])
        dy = np.array([e["sqrt_t0_over_w0"]["error"] for e in members])
        fitted = np.array([e["fitted"] for e in members])
        label = name  # on the first set drawn (a series may have no fitted point)
        for mask, face in ((fitted, colour), (~fitted, "white")):
            if mask.any():
                left.errorbar(x[mask], y[mask], xerr=dx[mask], yerr=dy[mask], fmt="o", color=colour,
                              mfc=face, capsize=3, label=label)
                label = None
        fit = result["fits"].get(name, {})
        if "continuum" in fit:
            grid = np.linspace(0.0, result["fit_max"], 50)
            c, k = fit["continuum"]["value"], fit["slope"][name]["value"]
            left.plot(grid, c + k * grid, color=colour, lw=1)
            left.errorbar([0.0], [c], yerr=[fit["continuum"]["error"]], fmt="s", color=colour,
                          mfc="white", capsize=3)
        if "deviation" in members[0]:
            d = np.array([100 * e["deviation"]["value"] for e in members])
            dd = np.array([100 * e["deviation"]["error"] for e in members])
            right.errorbar(x, d, xerr=dx, yerr=dd, fmt="o", color=colour, capsize=3, label=name)
    if "continuum" in joint:
        c, dc = joint["continuum"]["value"], joint["continuum"]["error"]
        left.axhspan(c - dc, c + dc, color="grey", alpha=0.25, lw=0, label="joint continuum")
    left.set_xlim(-0.02 * x_max, x_max)
    left.set_xlabel(r"$a^2/t_0$")
    left.set_ylabel(r"$\sqrt{t_0}/w_0$")
    left.set_title(f"E: {result['energy']}; lines: fits with $a^2/t_0 \\leq$ {result['fit_max']:g}")
    left.legend(fontsize=8)
    right.axhline(0.0, color="black", lw=0.8)
    right.set_xlim(-0.02 * x_max, x_max)
    right.set_xlabel(r"$a^2/t_0$")
    right.set_ylabel(r"$\sqrt{t_0}/w_0$: deviation from the continuum (%)")
    right.set_title("discretisation effects")
    if right.has_data():
        right.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(directory / "scaling.png", dpi=120)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]))
