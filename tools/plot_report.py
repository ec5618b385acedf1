#!/usr/bin/python3
"""Plots of a `fpgauge evaluate` report (DIR/report.json, SPEC §7):

    /usr/bin/python3 tools/plot_report.py DIR
      -> DIR/errors.png      relative error of A and of the derivative field per test dataset
      -> DIR/instantons.png  A/(4 pi^2/3) against rho for every action and the FP labels
      -> DIR/locality.png    derivative response R(r) against distance
Sections missing from the report give no plot.
"""
import json
import sys
from pathlib import Path

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

MARKERS = "os^vD<>ph*"


def dataset_axis(sets):
    """beta where every dataset has one, else the dataset index."""
    if all(s["beta"] is not None for s in sets):
        return [s["beta"] for s in sets], r"$\beta$ of the ensemble"
    return list(range(len(sets))), "dataset"


def plot_errors(report, directory):
    sets = report["errors"]
    if not sets:
        return
    x, xlabel = dataset_axis(sets)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for quantity, ax, title in (("value", axes[0], r"$|A - A_{FP}|/|A_{FP}|$"),
                                ("derivative", axes[1], r"$\|D - D_{FP}\|/\|D_{FP}\|$")):
        for k, action in enumerate(report["actions"]):
            key = action["key"]
            y = [s["actions"][key][quantity]["mean"] for s in sets]
            e = [s["actions"][key][quantity]["error"] for s in sets]
            label = key if action["scale"] == 1.0 else f"{key} (x{action['scale']:.3f})"
            ax.errorbar(x, y, yerr=e, marker=MARKERS[k % len(MARKERS)], capsize=3, label=label)
        ax.set_yscale("log")
        ax.set_xlabel(xlabel)
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        if xlabel.startswith("$"):
            ax.set_xscale("log")
            ax.set_xticks(x)
            ax.xaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
            ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    axes[1].legend(fontsize=8)
    fig.suptitle("Errors against the FP labels (test sets)")
    fig.tight_layout()
    fig.savefig(directory / "errors.png", dpi=120)
    plt.close(fig)


def plot_instantons(report, directory):
    section = report.get("instantons")
    if not section or not section["configurations"]:
        return
    configurations = sorted(section["configurations"], key=lambda c: c["rho"])
    rho = [c["rho"] for c in configurations]
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    ax.axhspan(0.98, 1.02, color="0.85", label="continuum ±2%")
    for k, action in enumerate(report["actions"]):
        ax.plot(rho, [c["actions"][action["key"]] for c in configurations],
                marker=MARKERS[k % len(MARKERS)], label=action["key"])
    fp = [(c["rho"], c["fp"]) for c in configurations if c["fp"] is not None]
    if fp:
        ax.plot(*zip(*fp), "k*", markersize=10, linestyle="none", label="FP label")
    ax.plot(rho, [c["wilson_open"] for c in configurations], "k--", label="wilson, open box")
    ax.set_xlabel(r"$\rho/a$")
    ax.set_ylabel(r"$A/(4\pi^2/3)$")
    ax.set_ylim(0.0, 1.6)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title("Instanton action")
    fig.tight_layout()
    fig.savefig(directory / "instantons.png", dpi=120)
    plt.close(fig)


def plot_locality(report, directory):
    section = report.get("locality")
    if not section:
        return
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    for k, action in enumerate(report["actions"]):
        entry = section["actions"][action["key"]]
        points = [(p["r"], p["response"]) for p in entry["profile"] if p["response"] > 0]
        rate = entry["decay_rate"]
        label = action["key"] + (f" (rate {rate:.2f})" if rate is not None else "")
        ax.plot(*zip(*points), marker=MARKERS[k % len(MARKERS)], label=label)
    ax.set_yscale("log")
    ax.set_xlabel("r (lattice units)")
    ax.set_ylabel(r"$R(r) = \max \|\partial D/\partial\epsilon\|$")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title("Locality: derivative response to one link")
    fig.tight_layout()
    fig.savefig(directory / "locality.png", dpi=120)
    plt.close(fig)


def main(directory: Path) -> None:
    report = json.loads((directory / "report.json").read_text())
    plot_errors(report, directory)
    plot_instantons(report, directory)
    plot_locality(report, directory)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]))
