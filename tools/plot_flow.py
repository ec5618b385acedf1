#!/usr/bin/python3
"""Plots of a `fpgauge flow` run: t^2 <E> and W = t d/dt t^2 <E> against t for every energy
definition (from DIR/mean.csv), with the reference line and t0, w0^2 marked (DIR/summary.json).

    /usr/bin/python3 tools/plot_flow.py DIR      -> DIR/t2E.png, DIR/W.png
"""
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def main(directory: Path) -> None:
    data = np.genfromtxt(directory / "mean.csv", delimiter=",", names=True)
    summary = json.loads((directory / "summary.json").read_text())
    reference = summary["reference"]
    definitions = [name[len("t2E_"):] for name in data.dtype.names if name.startswith("t2E_")]
    for quantity, label, scale_key, square in (("t2E", r"$t^2\langle E\rangle$", "t0_over_a2", False),
                                               ("W", r"$t\,\frac{d}{dt}\,t^2\langle E\rangle$",
                                                "w0_over_a", True)):
        fig, ax = plt.subplots(figsize=(6, 4))
        for definition in definitions:
            ax.plot(data["t"], data[f"{quantity}_{definition}"], label=f"E: {definition}")
            scales = summary["scales"].get(definition, {})
            if scale_key in scales:
                value = scales[scale_key]["value"]
                ax.axvline(value * value if square else value, ls=":", lw=0.8, color="grey")
        ax.axhline(reference, ls="--", lw=0.8, color="black")
        ax.set_xlabel(r"$t/a^2$")
        ax.set_ylabel(label)
        ax.set_title(f"flow action: {summary['flow_action']}")
        ax.legend()
        fig.tight_layout()
        fig.savefig(directory / f"{quantity}.png", dpi=120)
        plt.close(fig)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
