# ch2-batch.gp: the validation loss of chapter 2's three runs against the
# epochs: the gradient summed over each batch (the study), averaged at the
# same rate, and averaged at the rate times the batch size.
# Input: dir/metrics.tsv, dir/metrics_mean.tsv, dir/metrics_mean_scaled.tsv
# (columns as curves.gp reads them). Variables: rate, batch.
w_px = 640; h_px = 330
load figures.'/common.gp'
set datafile separator tab
set xlabel 'epoch'
set ylabel 'validation cross-entropy per example'
set grid lc rgb '#dddddd'
set key top right
set logscale y
plot dir.'/metrics.tsv' every ::1 using 1:3 with lines lw 2 lc rgb '#d9730d' \
         title sprintf('summed, rate %g (the study)', rate), \
     dir.'/metrics_mean_scaled.tsv' every ::1 using 1:3 with points pt 6 ps 0.8 lc rgb '#1f5fa8' \
         title sprintf('averaged, rate %g x %d', rate, batch), \
     dir.'/metrics_mean.tsv' every ::1 using 1:3 with lines lw 2 dt 2 lc rgb '#444444' \
         title sprintf('averaged, rate %g', rate)
