/* Native reference for W1: single-threaded OpenBLAS sgemm, GFLOP/s (median of reps).
   Built and run by run.mjs: cc -O3 sgemm.c -lopenblas, OPENBLAS_NUM_THREADS=1.
   Usage: sgemm REPS N... ; prints one JSON object. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}
static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  int reps = argc > 1 ? atoi(argv[1]) : 7;
  printf("{");
  for (int ai = 2; ai < argc; ai++) {
    int n = atoi(argv[ai]);
    float *a = malloc(sizeof(float) * n * n), *b = malloc(sizeof(float) * n * n), *c = malloc(sizeof(float) * n * n);
    for (long i = 0; i < (long)n * n; i++) { a[i] = (float)((i * 7919) % 1000) / 1000.0f - 0.5f; b[i] = (float)((i * 104729) % 1000) / 1000.0f - 0.5f; }
    double *t = malloc(sizeof(double) * reps);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
    for (int r = 0; r < reps; r++) {
      double t0 = now();
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
      t[r] = now() - t0;
    }
    qsort(t, reps, sizeof(double), cmp);
    double med = reps % 2 ? t[reps / 2] : (t[reps / 2 - 1] + t[reps / 2]) / 2;
    printf("%s\"%d\": %.4f", ai > 2 ? ", " : "", n, 2.0 * n * n * (double)n / med / 1e9);
    free(a); free(b); free(c); free(t);
  }
  printf("}\n");
  return 0;
}
