{{/* The objects' name: "flowshift" for a release named flowshift, as deploy/base names them. */}}
{{- define "flowshift.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 57 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 57 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 57 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The bundled Redis's name (57 + "-redis" stays within 63). */}}
{{- define "flowshift.redisName" -}}
{{- printf "%s-redis" (include "flowshift.fullname" .) -}}
{{- end -}}

{{/*
The Secret src/install/ensure-secret.ts makes (GENERATED_SECRET): its name is
fixed, so releases sharing a namespace share it.
*/}}
{{- define "flowshift.generatedSecret" -}}flowshift-generated{{- end -}}

{{- define "flowshift.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/part-of: flowshift
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Chart.AppVersion }}
app.kubernetes.io/version: {{ . | quote }}
{{- end }}
{{- end -}}

{{/* The controller's pods; the instance keeps two releases in one namespace apart. */}}
{{- define "flowshift.selectorLabels" -}}
app.kubernetes.io/name: flowshift
app.kubernetes.io/component: controller
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "flowshift.redisSelectorLabels" -}}
app.kubernetes.io/name: flowshift-redis
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "flowshift.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* The controller's Redis settings for redis.mode, as deploy/base and its overlays set them. */}}
{{- define "flowshift.redisEnv" -}}
{{- $generated := include "flowshift.generatedSecret" . -}}
{{- if eq .Values.redis.mode "bundled" }}
- name: REDIS_URL
  value: {{ printf "redis://%s:6379" (include "flowshift.redisName" .) }}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef: { name: {{ $generated }}, key: redis-password }
{{- else if eq .Values.redis.mode "external" }}
# The URL carries the password, if any.
- name: REDIS_URL
  valueFrom:
    secretKeyRef: { name: {{ .Values.redis.external.secretName }}, key: {{ .Values.redis.external.secretKey }} }
{{- else }}
{{- $s := .Values.redis.sentinel }}
{{- if not $s.sentinels }}
{{- fail "redis.sentinel.sentinels is empty: with redis.mode sentinel, list the Sentinels' host:port addresses" }}
{{- end }}
- name: REDIS_SENTINELS
  value: {{ join "," $s.sentinels | quote }}
- name: REDIS_SENTINEL_MASTER
  value: {{ $s.master | quote }}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef: { name: {{ $s.secretName }}, key: password, optional: true }
- name: REDIS_SENTINEL_PASSWORD
  valueFrom:
    secretKeyRef: { name: {{ $s.secretName }}, key: sentinel-password, optional: true }
{{- end }}
{{- end -}}

{{/*
Exactly the rules of deploy/base/cluster-role.yaml, which says why each is
needed; test/install/helm.test.ts fails when the two differ.
*/}}
{{- define "flowshift.rules" -}}
- apiGroups: [flowshift.io]
  resources: [rollouts]
  verbs: [get, list, watch, patch]
- apiGroups: [flowshift.io]
  resources: [rollouts/status]
  verbs: [patch]
- apiGroups: [flowshift.io]
  resources: [rollouts/finalizers]
  verbs: [update]
- apiGroups: [flowshift.io]
  resources: [metrictemplates]
  verbs: [get]
- apiGroups: [flowshift.io]
  resources: [alertproviders]
  verbs: [get]
- apiGroups: [apps]
  resources: [deployments, daemonsets]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [apps]
  resources: [statefulsets]
  verbs: [get, list, watch, patch]
- apiGroups: [""]
  resources: [pods]
  verbs: [list, delete]
- apiGroups: [autoscaling]
  resources: [horizontalpodautoscalers]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [keda.sh]
  resources: [scaledobjects]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [""]
  resources: [services]
  verbs: [get, create, patch, delete]
- apiGroups: [""]
  resources: [configmaps, secrets]
  verbs: [get, list, watch, create, update]
- apiGroups: [""]
  resources: [events]
  verbs: [create, patch]
- apiGroups: [networking.istio.io]
  resources: [destinationrules]
  verbs: [get, create, patch]
- apiGroups: [networking.istio.io]
  resources: [virtualservices]
  verbs: [get, list, watch, create, patch, delete]
- apiGroups: [gateway.networking.k8s.io]
  resources: [httproutes]
  verbs: [get, list, watch, create, patch, delete]
{{- end -}}
