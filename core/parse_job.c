/* nethost core: parsing on the thread pool. */
#include "parse_job.h"
#include "error.h"
#include "registry.h"

#include <stdlib.h>
#include <string.h>

struct nh_parse_job_s {
  uv_work_t work;
  nh_parse_t *req; /* NULL once the operation was cancelled: the job cleans up alone */
  nh_parser_call_t call;
  int rc;
  nh_value_t *value;
  char *errmsg;
  size_t len;
  char text[]; /* the caller's text, copied (the job may outlive it), NUL-terminated */
};

static void job_free(nh_parse_job_t *job) {
  nh__parser_call_free(&job->call);
  nh_value_free(job->value);
  free(job->errmsg);
  free(job);
}

/* Worker thread: only the parser and the job's own memory. */
static void job_run(uv_work_t *work) {
  nh_parse_job_t *job = (nh_parse_job_t *)work;
  job->rc = nh__registry_call(&job->call, job->text, job->len, &job->value, &job->errmsg);
}

static void job_after(uv_work_t *work, int status) {
  nh_parse_job_t *job = (nh_parse_job_t *)work;
  nh_parse_t *req = job->req;
  if (!req) {
    job_free(job);
    return;
  }
  req->job = NULL;
  if (status < 0) {
    job_free(job);
    nh__op_done(&req->op, status);
    return;
  }
  req->value = job->value;
  req->errmsg = job->errmsg;
  job->value = NULL;
  job->errmsg = NULL;
  status = job->rc;
  job_free(job);
  nh__op_done(&req->op, status);
}

static void parse_cancel(nh_op_t *op) {
  nh_parse_t *req = (nh_parse_t *)op;
  if (req->job) {
    /* Not started yet: it never will. Running: it finishes and frees itself. */
    uv_cancel((uv_req_t *)&req->job->work);
    req->job->req = NULL;
    req->job = NULL;
  }
  nh__op_done(op, NH_ECANCELED);
}

static const nh_op_type_t parse_type = {"parse", parse_cancel};

int nh_parse_start(nh_loop_t *loop, nh_parse_t *req, const char *platform, const char *command,
                   const char *text, size_t len, uint64_t timeout_ms, nh_op_cb cb) {
  nh_parse_job_t *job;
  int rc;
  nh__op_init(&req->op, loop, &parse_type);
  req->value = NULL;
  req->errmsg = NULL;
  req->job = NULL;
  if (!text) return NH_EINVAL;
  if (!(job = calloc(1, sizeof(*job) + len + 1))) return NH_ENOMEM;
  if ((rc = nh__registry_resolve(platform, command, &job->call, &req->errmsg)) < 0) {
    free(job);
    return rc;
  }
  memcpy(job->text, text, len);
  job->text[len] = '\0';
  job->len = len;
  job->req = req;
  if ((rc = uv_queue_work(loop->uv, &job->work, job_run, job_after)) < 0) {
    job_free(job);
    return rc;
  }
  req->job = job;
  nh__op_begin(&req->op, cb, timeout_ms);
  return 0;
}

void nh_parse_cleanup(nh_parse_t *req) {
  nh_value_free(req->value);
  free(req->errmsg);
  req->value = NULL;
  req->errmsg = NULL;
}
