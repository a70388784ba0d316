"""The metrics of chart digitisation, each written from its published definition.

- Benetech ("Making Graphs Accessible", Kaggle 2023): per chart an `_x` and a `_y` row; 0 for a
  wrong chart type or a series of the wrong length; numeric rows `sigmoid(RMSE / RMSE of the
  mean)` = `sigmoid(sqrt(1 - R^2))` with R^2 as scikit-learn defines it (a constant truth gives
  R^2 = 1 when predicted exactly, else 0), text rows `sigmoid(total Levenshtein / total length)`,
  with `sigmoid(x) = 2 - 2 / (1 + e^-x)`; the score is the mean over rows.
- DePlot (Liu et al. 2023): RMS precision / recall / F1 between linear tables (each cell keyed by
  its row and column header; keys matched one-to-one by ANLS, values by relative error or ANLS;
  the best of the table and its transpose), and RNSS (the numbers of both tables matched one-to-one
  by relative error). As in the corrected reference code, F1 is the harmonic mean of precision
  and recall (an earlier release reported recall under F1's name).
- Keypoints: precision, recall and F1 of predicted points against true ones, matched one-to-one
  (optimal assignment) within a distance given as a fraction of the plot area's diagonal.

Levenshtein distances come from rapidfuzz, optimal assignments from scipy.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

BENETECH_TYPES = ("dot", "horizontal_bar", "vertical_bar", "line", "scatter")
KEYPOINT_THRESHOLDS = (0.01, 0.02, 0.05)  # of the plot area's diagonal


def _levenshtein(a: str, b: str) -> int:
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.distance(a, b)


def _assignment(cost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from scipy.optimize import linear_sum_assignment

    return linear_sum_assignment(cost)


# --- Benetech ----------------------------------------------------------------------------

def sigmoid(x: float) -> float:
    """The competition's transform of an error into a score: 2 - 2 / (1 + e^-x); 1 at 0, towards 0."""
    return 2.0 - 2.0 / (1.0 + math.exp(-x))


def r2(y_true: Sequence[float], y_pred: Sequence[float]) -> float:
    """The coefficient of determination as scikit-learn's r2_score gives it (force_finite)."""
    t, p = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    residual = float(np.sum((t - p) ** 2))
    total = float(np.sum((t - t.mean()) ** 2))
    if total == 0.0:
        return 1.0 if residual == 0.0 else 0.0
    return 1.0 - residual / total


def normalized_rmse(y_true: Sequence[float], y_pred: Sequence[float]) -> float:
    return sigmoid(math.sqrt(max(0.0, 1.0 - r2(y_true, y_pred))))


def normalized_levenshtein(y_true: Sequence[str], y_pred: Sequence[str]) -> float:
    distance = sum(_levenshtein(t, p) for t, p in zip(y_true, y_pred))
    length = sum(len(t) for t in y_true)
    if length == 0:  # only empty names to read: exact or nothing (the reference divides by zero)
        return 1.0 if distance == 0 else 0.0
    return sigmoid(distance / length)


def series_score(y_true: Sequence, y_pred: Sequence) -> float:
    """One Benetech row: 0 for a wrong length; text rows by Levenshtein, numbers by R^2.

    A numeric row whose prediction holds something that is not a finite number scores 0; a
    text row compares the predictions as text."""
    if len(y_true) != len(y_pred) or not y_true:
        return 0.0
    if isinstance(y_true[0], str):
        return normalized_levenshtein([str(t) for t in y_true], [_text(p) for p in y_pred])
    try:
        predicted = [float(p) for p in y_pred]
    except (TypeError, ValueError):
        return 0.0
    if not all(math.isfinite(p) for p in predicted) or isinstance(y_pred[0], bool):
        return 0.0
    return normalized_rmse([float(t) for t in y_true], predicted)


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- DePlot: RMS and RNSS ------------------------------------------------------------------

def anls(target: str, prediction: str, theta: float = 0.5) -> float:
    """Average normalised Levenshtein similarity of two strings, 0 past `theta`."""
    longest = max(len(target), len(prediction))
    if longest == 0:
        return 1.0
    distance = _levenshtein(target, prediction) / longest
    return 1.0 - distance if distance < theta else 0.0


def _number(text: str) -> float | None:
    try:
        return float(text.rstrip("%")) / 100.0 if text.endswith("%") else float(text)
    except ValueError:
        return None


def relative_distance(target: float, prediction: float, theta: float = 1.0) -> float:
    """min(1, |target - prediction| / |target|), and 1 past `theta`; for a zero target, 0 only if exact."""
    if not target:
        return float(bool(prediction))
    distance = min(abs((target - prediction) / target), 1.0)
    return distance if distance < theta else 1.0


def table_cells(text: str, transposed: bool = False) -> dict[str, str]:
    """A linear table's cells as {"row column": value}, lowercased (a 'title | ...' line is a cell too)."""
    cells: dict[str, str] = {}
    lines = text.lower().splitlines()
    if not lines:
        return cells
    offset = 0
    if lines[0].startswith("title |"):
        cells["title"] = lines[0][len("title |"):].strip()
        offset = 1
    if len(lines) <= offset:
        return cells
    headers = lines[offset].split(" | ")
    if len(headers) == 1:
        return cells
    for line in lines[offset + 1:]:
        parts = line.split(" | ")
        if len(parts) == 1:
            continue
        for header, part in zip(headers[1:], parts[1:]):
            row, column = parts[0].strip(), header.strip()
            cells[f"{column} {row}" if transposed else f"{row} {column}"] = part.strip()
    return cells


def _cell_similarity(target: tuple[str, str], prediction: tuple[str, str], text_theta: float,
                     number_theta: float) -> float:
    key = anls(target[0], prediction[0], text_theta)
    t, p = _number(target[1]), _number(prediction[1])
    if p is not None and t:
        return key * (1.0 - relative_distance(t, p, number_theta))
    if target[1] == prediction[1]:
        return key
    return key * anls(target[1], prediction[1], text_theta)


def rms(target: str, prediction: str, *, text_theta: float = 0.5, number_theta: float = 0.1) -> dict:
    """DePlot's RMS precision, recall and F1 (fractions) of one predicted table: the better of
    reading the prediction as it is and transposed."""
    best = None
    for transposed in (False, True):
        p, r, f = _rms_once(target, prediction, transposed, text_theta, number_theta)
        if best is None or f > best[2]:
            best = (p, r, f)
    return {"precision": best[0], "recall": best[1], "f1": best[2]}


def _rms_once(target: str, prediction: str, transposed: bool, text_theta: float, number_theta: float):
    truth = list(table_cells(target).items())
    guess = list(table_cells(prediction, transposed).items())
    if not truth and not guess:
        return 1.0, 1.0, 1.0
    if not truth:
        return 0.0, 1.0, 0.0
    if not guess:
        return 1.0, 0.0, 0.0
    cost = np.array([[1.0 - anls(t, p, text_theta) for p, _ in guess] for t, _ in truth])
    rows, cols = _assignment(cost)
    score = sum(_cell_similarity(truth[r], guess[c], text_theta, number_theta) for r, c in zip(rows, cols))
    if score == 0:
        return 0.0, 0.0, 0.0
    precision, recall = score / len(guess), score / len(truth)
    return precision, recall, 2 * precision * recall / (precision + recall)


def table_numbers(text: str) -> list[float]:
    numbers = []
    for line in text.splitlines():
        for part in line.split(" | "):
            if part.strip():
                try:
                    numbers.append(float(part))
                except ValueError:
                    pass
    return numbers


def rnss(target: str, prediction: str) -> float:
    """DePlot's relative number set similarity: 1 - the optimally matched relative errors / the larger count."""
    truth, guess = table_numbers(target), table_numbers(prediction)
    if not truth and not guess:
        return 1.0
    if not truth or not guess:
        return 0.0
    cost = np.array([[relative_distance(t, p) for p in guess] for t in truth])
    rows, cols = _assignment(cost)
    return 1.0 - float(cost[rows, cols].sum()) / max(len(truth), len(guess))


# --- keypoints ---------------------------------------------------------------------------

def keypoint_matches(truth: Sequence[Sequence[float]], predicted: Sequence[Sequence[float]],
                     size: tuple[float, float], thresholds: Sequence[float] = KEYPOINT_THRESHOLDS) -> dict[float, int]:
    """For each threshold (a fraction of the diagonal of a plot area of `size` pixels), the most
    one-to-one pairs of a true and a predicted point (both [fx, fy] fractions of the plot area)
    no further apart than it: an optimal assignment on 'too far' (then on distance)."""
    if not len(truth) or not len(predicted):
        return {t: 0 for t in thresholds}
    w, h = size
    t = np.asarray(truth, dtype=float)[:, :2] * (w, h)
    p = np.asarray(predicted, dtype=float)[:, :2] * (w, h)
    distance = np.sqrt(((t[:, None, :] - p[None, :, :]) ** 2).sum(-1))
    diagonal = math.hypot(w, h)
    out = {}
    for threshold in thresholds:
        limit = threshold * diagonal
        far = distance > limit
        cost = far * (1.0 + distance.max()) + np.where(far, 0.0, distance)  # first as many pairs as possible
        rows, cols = _assignment(cost)
        out[threshold] = int((~far[rows, cols]).sum())
    return out


def prf(matched: float, predicted: float, truth: float) -> dict:
    """Precision, recall and F1 from counts (an empty prediction of an empty truth is perfect)."""
    precision = matched / predicted if predicted else float(not truth)
    recall = matched / truth if truth else float(not predicted)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}
