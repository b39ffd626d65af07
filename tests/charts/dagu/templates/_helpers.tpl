{{/* The documented fullname rule: fullnameOverride; else <name> = nameOverride or the chart name; the release
name when it contains <name>, else <release>-<name>; 63 characters at most. */}}
{{- define "dagu.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "dagu.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := include "dagu.name" . }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "dagu.selectorLabels" -}}
app.kubernetes.io/name: {{ include "dagu.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "dagu.labels" -}}
{{ include "dagu.selectorLabels" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version | replace "+" "_" }}
{{- end }}

{{- define "dagu.broken" -}}
{{- if has .what .root.Values.testing.break }}true{{ end }}
{{- end }}

{{/* Worker capability labels as k=v pairs joined by commas (sorted by key, or reversed when broken). */}}
{{- define "dagu.workerLabels" -}}
{{- $pairs := list -}}
{{- range $key, $value := .labels -}}
{{- $pairs = append $pairs (printf "%s=%v" $key $value) -}}
{{- end -}}
{{- if .reverse }}{{ $pairs = reverse $pairs }}{{ end -}}
{{- join "," $pairs -}}
{{- end }}

{{/* The env every component shares: DAGU_HOME, then extraEnv. */}}
{{- define "dagu.extraEnv" -}}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "dagu.volumes" -}}
volumes:
  - name: data
    persistentVolumeClaim:
      claimName: {{ include "dagu.fullname" . }}-data
  - name: config
    configMap:
      name: {{ include "dagu.fullname" . }}-config
{{- end }}

{{- define "dagu.volumeMounts" -}}
volumeMounts:
  - name: data
    mountPath: /data
  - name: config
    mountPath: /etc/dagu
{{- end }}
