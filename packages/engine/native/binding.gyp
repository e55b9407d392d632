{
  "targets": [
    {
      "target_name": "usibench_native",
      "sources": ["src/addon.cc", "src/kernels.cc", "src/elementwise.cc", "src/parallel.cc", "src/winograd.cc", "src/data.cc"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-math-errno", "-pthread"],
      "cflags_cc!": ["-O2"],
      "defines": ["NAPI_VERSION=8"],
      "conditions": [
        ["OS=='linux'", {
          "include_dirs": ["/usr/include/x86_64-linux-gnu/openblas-pthread", "/usr/include/aarch64-linux-gnu/openblas-pthread", "/usr/include/openblas"],
          "libraries": ["-lopenblas", "-pthread"],
          "defines": ["USIBENCH_OPENBLAS=1"]
        }],
        ["OS=='linux' and target_arch=='x64'", {
          # x86-64-v2 (SSE4.2) runs on every x86-64 CPU of the last 15 years; the hot loops carry
          # an AVX2/FMA clone chosen at load time (target_clones), so no -march=native.
          "cflags_cc": ["-march=x86-64-v2", "-mtune=generic"],
          "defines": ["USIBENCH_CLONES=1"]
        }],
        ["OS=='mac'", {
          "libraries": ["-framework Accelerate"],
          "defines": ["USIBENCH_ACCELERATE=1", "ACCELERATE_NEW_LAPACK=1"],
          "xcode_settings": {
            "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=c++17"],
            "MACOSX_DEPLOYMENT_TARGET": "11.0"
          }
        }]
      ]
    }
  ]
}
