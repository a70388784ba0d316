"""The reference digitiser's parts (scripts/digitiser.py is its command line).

It reads a chart the way a person does, in four steps, each a module:

- `examples.py`: what it learns from, one chart at a time: the image, the plot area, the marks'
  keypoints, every tick (where it is, where its text is, what the text says) and the chart type,
  from plotdigit shards (through `plotdigit_cli.load`), charts made on the fly (`stream`) or a
  directory in the Benetech competition's layout (images/ + annotations/);
- `net.py`: two small networks. A detector (a CenterNet-style heatmap network at a quarter of a
  256 x 256 input) finds the marks' keypoints, the ticks on both axes with their text boxes, and
  the plot area's corners, and names the chart type and the tick labels' rotation; a reader
  (a CRNN with CTC) reads each tick label from a crop of the full-size image;
- `axes.py`: an axis is fitted from the ticks read (linear, log, date or category), and each
  keypoint is turned into its values through the two axes;
- `predict.py`: the above, chart by chart, into `plotdigit score`'s PRED lines.

Not part of the installed package: an example of what plotdigit's labels can teach, and the
measure of how well its charts transfer (README, "A reference digitiser").
"""
