# ch5-weights.gp: the weights from the pixels to the hidden units after
# training, under each penalty of chapter 5. Left: their values (the share of
# the weights in each bin, on a log scale, so that the tails show). Right: the
# size of each weight, |w|, on a log scale: L1 piles weights up near zero,
# where L2 only shrinks them.
# Input: dir/weights-hist.tsv (bin centre w, then one column per run, the %
# of the weights in that bin) and dir/weights-log.tsv (the same by log10 |w|;
# the first and last bins take everything beyond them). One header line each.
# Variables: n (how many runs).
w_px = 900; h_px = 360
load figures.'/common.gp'
if (!exists('n')) n = 1
set datafile separator tab
array colour[8] = ['#1f5fa8', '#7fb2e5', '#d9730d', '#f2b27a', '#333333', '#2a9d3f', '#9b3fb5', '#b5a33f']
array dash[8] = [1, 2, 1, 2, 1, 1, 1, 1]
set grid lc rgb '#dddddd'
set multiplot layout 1, 2 title 'The weights from the pixels to the hidden units, after training'
set xlabel 'weight w'
set ylabel '% of the weights per bin'
set logscale y
set format y '%g'
set key top right
plot for [i=1:n] dir.'/weights-hist.tsv' using 1:(column(i+1) > 0 ? column(i+1) : NaN) \
     with steps lw 2 lc rgb colour[(i-1)%8+1] dt dash[(i-1)%8+1] title columnhead(i+1)
unset logscale y
set xlabel 'size of the weight |w|'
set xtics ('10^{-7}' -7, '10^{-6}' -6, '10^{-5}' -5, '10^{-4}' -4, '10^{-3}' -3, '10^{-2}' -2, '0.1' -1, '1' 0)
set key top left
plot for [i=1:n] dir.'/weights-log.tsv' using 1:(column(i+1)) \
     with steps lw 2 lc rgb colour[(i-1)%8+1] dt dash[(i-1)%8+1] title columnhead(i+1)
unset multiplot
