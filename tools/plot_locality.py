#!/usr/bin/python3
"""Plots the locality study of tools/locality_study (docs/locality.md).

    tools/plot_locality.py docs/locality.json docs/locality.png [--title TEXT]

One curve per (c, kappa): R(r)/R(0), the response of the FP derivative at distance r to a
rotation of one coarse link, relative to the perturbed link's own, on a log scale.
"""
import argparse
import json
import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=pathlib.Path)
    parser.add_argument("png", type=pathlib.Path)
    parser.add_argument("--title", default=None)
    args = parser.parse_args()
    study = json.loads(args.data.read_text())
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for kernel in study["kernels"]:
        profile = kernel["profile"]
        r = [p["r"] for p in profile]
        response = [p["response"] / profile[0]["response"] for p in profile]
        ax.semilogy(r, response, marker="o", markersize=3, linewidth=1,
                    label=f"c = {kernel['c']:g}, κ = {kernel['kappa']:g} "
                          f"(rate {kernel['decay_rate']:.2f})")
    background = "unit field" if study["beta"] <= 0 else f"Wilson β = {study['beta']:g}"
    ax.set_xlabel("distance r (coarse lattice units, link midpoints)")
    ax.set_ylabel("max |ΔD A_FP| at r  /  at r = 0")
    ax.set_title(args.title or f"FP derivative response, coarse {study['extent']}^4, {background}")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    args.png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.png, dpi=120)


if __name__ == "__main__":
    main()
